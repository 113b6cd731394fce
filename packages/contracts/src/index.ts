export {
  BATCH_ITEMS_MAX,
  INFERENCE_BATCH_JOB_NAME,
  batchItemId,
  newBatchId,
  parseBatchData,
  parseBatchItemId,
} from './batch';
export type { BatchItemOutcome, BatchJobData, BatchJobResult } from './batch';
export {
  DEFAULT_QUEUE_NAME,
  crc16,
  INFERENCE_JOB_NAME,
  MODEL_NAME_RE,
  QUEUE_PREFIX,
  queueShards,
  shardOf,
  modelCardsKey,
  modelLabelsKey,
  modelQueueName,
  syncQueueName,
  versionStatesKey,
} from './queues';
export {
  LabelsRequestSchema,
  ModelLabelsSchema,
  ModelVersionViewSchema,
  RepositoryModelSchema,
  ShadowStatsSchema,
  VERSION_STATES,
  VersionStateSchema,
  VersionStatusSchema,
} from './repository';
export type {
  ModelLabels,
  ModelVersionView,
  RepositoryModel,
  ShadowStats,
  VersionState,
  VersionStatus,
} from './repository';
export { EncodedTensorSchema, decodeTensor, encodeTensor, shapeSize } from './tensor';
export type { EncodedTensor } from './tensor';
export { INCLUDE_VALUES, IncludeSchema, ModelInputSchema, modelInputImage } from './model-input';
export type { ModelInput } from './model-input';
export { DEFAULT_ALPHA, SAMPLES_MAX, SAMPLES_MIN } from './limits';
export { InputFactsSchema } from './facts';
export type { InputFacts } from './facts';
export {
  InferenceJobDataSchema,
  InferenceParamsSchema,
  JOB_PRIORITIES,
  JobPrioritySchema,
  decodeFailure,
  encodeFailure,
  parseJobData,
} from './jobs';
export type { InferenceJobData, InferenceParams, JobPriority } from './jobs';
export {
  ErrorBodySchema,
  ErrorCodeSchema,
  InferenceResultSchema,
  JobFailureSchema,
  JobStoppedSchema,
  type JobStopped,
  ModelRefSchema,
  PredictionSchema,
  TimingsSchema,
  UncertaintySchema,
} from './results';
export type { ErrorBody, InferenceResult, JobFailure, Prediction, Timings, Uncertainty } from './results';
export {
  JobAcceptedSchema,
  JobCompletedSchema,
  JobFailedSchema,
  JobCanceledSchema,
  CancelOutcomeSchema,
  type CancelOutcome,
  JobPendingSchema,
  JobSchema,
  LinksSchema,
} from './job-views';
export type { Job, JobAccepted, JobCompleted, JobFailed, JobPending, JobStatus, Links } from './job-views';
export { CalibrationSummarySchema, ModelCardSchema, ModelSchema, ModelsSchema } from './models';
export type { CalibrationSummary, Model, ModelCard, Models } from './models';
export { FeedbackRequestSchema, FeedbackSchema, MonitoringSchema, MonitoringWindowSchema } from './monitoring';
export type { Feedback, FeedbackRequest, Monitoring, MonitoringWindow } from './monitoring';
export { HealthSchema, ReadySchema } from './probes';
export type { Health, Ready } from './probes';
export {
  BatchWebhookDataSchema,
  WEBHOOK_DELIVERY_STATES,
  WEBHOOK_EVENTS,
  WEBHOOK_SCOPES,
  WebhookScopeSchema,
  WebhookDeliveryStateSchema,
  WebhookEventSchema,
  WebhookPayloadSchema,
  WebhookRequestSchema,
  WebhookSubscriptionSchema,
} from './webhook';
export type {
  BatchWebhookData,
  WebhookDeliveryState,
  WebhookEvent,
  WebhookScope,
  WebhookPayload,
  WebhookRequest,
  WebhookSubscription,
} from './webhook';
export { DeadlineSchema, JsonSubmissionSchema } from './submission';
export type { JsonSubmission } from './submission';
export { API_SCHEMAS } from './api';
export type { ApiSchemaName } from './api';
export { schemasWithRefs } from './refs';
export type { JsonSchema } from './refs';
export {
  EXAMPLE_ACCEPTED,
  EXAMPLE_COMPLETED,
  EXAMPLE_ERROR,
  EXAMPLE_FACTS,
  EXAMPLE_FAILED,
  EXAMPLE_MODELS,
  EXAMPLE_MODEL_CARD,
  EXAMPLE_PENDING,
  EXAMPLE_RESULT,
  EXAMPLE_WEBHOOK,
} from './examples';
