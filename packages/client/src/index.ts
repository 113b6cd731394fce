export { MnistClient } from './sdk';
export type { MnistClientOptions } from './sdk';
export { MnistApiError } from './errors';
export type {
  BatchSubmitResponse,
  BatchView,
  CancelResponse,
  CompletedJob,
  ImageInput,
  JobLinks,
  JobStatus,
  JobView,
  SubmitOptions,
  SubmitResponse,
  UncertaintyView,
  WebhookDeliveryView,
  WebhookEventName,
} from './types';
export { SAMPLES_MAX, SAMPLES_MIN, WEBHOOK_EVENTS } from './wire';
export type {
  CalibrationSummary,
  ErrorBody,
  ErrorCode,
  InferenceResult,
  Job,
  JobAccepted,
  JobCompleted,
  JobFailed,
  JobFailure,
  JobPending,
  JsonSubmission,
  Links,
  Model,
  Models,
  Prediction,
  Timings,
  Uncertainty,
  WebhookDeliveryState,
  WebhookEvent,
  WebhookPayload,
  WebhookRequest,
} from './wire';
export {
  DEFAULT_TOLERANCE_S,
  WEBHOOK_HEADERS,
  WebhookVerificationError,
  decodeWebhookSecret,
  signWebhook,
  verifyWebhook,
} from './signing';
export type { HeaderSource, SignedWebhookHeaders, VerifiedWebhook, VerifyOptions } from './signing';
