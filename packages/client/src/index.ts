export { MnistClient } from './sdk';
export type { MnistClientOptions } from './sdk';
export { MnistApiError } from './errors';
export type {
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
export {
  DEFAULT_TOLERANCE_S,
  WEBHOOK_HEADERS,
  WebhookVerificationError,
  decodeWebhookSecret,
  signWebhook,
  verifyWebhook,
} from './signing';
export type { HeaderSource, SignedWebhookHeaders, VerifiedWebhook, VerifyOptions } from './signing';
