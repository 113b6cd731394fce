export { WEBHOOK_QUEUE, WEBHOOK_EVENTS, wantsEvent } from './types';
export type {
  DeadLetter,
  DeliveryJobData,
  DeliveryProgress,
  DeliveryState,
  WebhookEvent,
  WebhookPayload,
  WebhookRequest,
} from './types';
export { deliveryJobId, webhookMessageId } from './ids';
export { batchKey, batchWebhookKeys, enqueueBatchWebhook, recordBatchEnd } from './batch';
export type { CompletedBatch, EvalClient } from './batch';
export {
  DELIVERY_ATTEMPTS_CEILING,
  WEBHOOK_BACKOFF_TYPE,
  countDeadLetters,
  deliveryJobOptions,
  enqueueWebhook,
  getDeliveryState,
  listDeadLetters,
  retryDeadLetter,
  webhookBody,
} from './queue';
export {
  WebhookDnsError,
  addressRange,
  assertDeliverableUrl,
  isPermittedAddress,
  parseAllowList,
  pinnedLookup,
  resolveDeliverableUrl,
} from './url-guard';
export type { AllowList, DeliverableUrl, GuardOptions, ResolvedAddress } from './url-guard';
export { parseWebhookRequest, webhookRequestSchema } from './schema';
export { webhookGuardEnv } from './config';
// Signing lives in the dependency-free client package (receivers need it); re-exported for the notifier/gateway.
export {
  DEFAULT_TOLERANCE_S,
  WEBHOOK_HEADERS,
  WebhookVerificationError,
  decodeWebhookSecret,
  signWebhook,
  verifyWebhook,
} from '@mserve/client';
export type { HeaderSource, SignedWebhookHeaders, VerifiedWebhook, VerifyOptions } from '@mserve/client';
