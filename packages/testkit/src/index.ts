export * from './harness';
export * from './redis-topology';
