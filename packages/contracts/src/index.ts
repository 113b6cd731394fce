export {
  BATCH_ITEMS_MAX,
  INFERENCE_BATCH_JOB_NAME,
  batchItemId,
  newBatchId,
  parseBatchData,
  parseBatchItemId,
} from './batch';
export type { BatchItemOutcome, BatchJobData, BatchJobResult } from './batch';
export { DEFAULT_QUEUE_NAME, INFERENCE_JOB_NAME, QUEUE_PREFIX, modelCardsKey, syncQueueName } from './queues';
export { decodeTensor, encodeTensor, shapeSize } from './tensor';
export type { EncodedTensor } from './tensor';
export {
  DEFAULT_ALPHA,
  SAMPLES_MAX,
  SAMPLES_MIN,
  WEBHOOK_EVENTS,
  decodeFailure,
  encodeFailure,
  parseJobData,
} from './jobs';
export type {
  InferenceJobData,
  InferenceParams,
  InferenceResult,
  ModelCard,
  ResultTimings,
  ResultUncertainty,
  WebhookEvent,
  WebhookRequest,
} from './jobs';
