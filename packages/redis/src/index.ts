export { clusterOptions, parseHostPort, queueShardsEnv, redisEnv, redisOptions } from './options';
export type { RedisEndpoint, RedisRole } from './options';
export { bullConnection, createRedis, describeEndpoint, endpointOf, isCluster, queueNameFor } from './connect';
export type { RedisClient } from './connect';
export { confirmReplicated } from './durable';
