export { workerEnvSpec, loadWorkerConfig } from './config';
export type { WorkerConfig } from './config';
export { MicroBatcher } from './batcher';
export { startWorker } from './run';
export type { InferenceEngine, InferenceItem, Prediction } from './inference';
