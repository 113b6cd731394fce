export {
  DEFAULT_TOLERANCE_S,
  WEBHOOK_HEADERS,
  WebhookVerificationError,
  decodeWebhookSecret,
  signWebhook,
  verifyWebhook,
} from './signing';
export type { HeaderSource, SignedWebhookHeaders, VerifiedWebhook, VerifyOptions } from './signing';
