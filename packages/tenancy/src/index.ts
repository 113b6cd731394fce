export {
  SCOPES,
  checkTenant,
  hasScope,
  hashSecret,
  newApiKey,
  parseApiKey,
  parseBootstrapKeys,
  parseScopes,
  secretMatches,
} from './keys';
export type { BootstrapKey, ParsedKey, Scope } from './keys';
export { tenancyKeys } from './redis-keys';
export type { TenancyKeys } from './redis-keys';
export { KeyStore } from './key-store';
export type { KeyRecord } from './key-store';
export { WebhookSecretStore, newWebhookSecret } from './webhook-secrets';
export { rateLimitHeaders, takeToken, withRateLimitScript } from './rate-limit';
export type { RateDecision } from './rate-limit';
export { LOW_PRIORITY_BASE, admitJob, fairPriority, releaseJob, withFairShareScript } from './fair-share';
export type { Admission } from './fair-share';
