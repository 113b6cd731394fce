import type { Logger } from '@mserve/common';
import type { AfterAuth, KeyLookup } from './auth';
import type { GatewayConfig } from './config';
import type { GatewayMetrics } from './metrics';
import type { Preprocessor, WebhookStateReader, WebhookUrlGuard } from './pipeline/ports';
import type { JobStore } from './store';
import type { CompletionWaiters } from './waiters';

/** The model the gateway preprocesses for (its digest must match the workers'). */
export interface GatewayModel {
  name: string;
  dir: string;
  digest: string;
  inputShape: number[];
  /** `preprocessingFingerprint()` of this gateway's preprocessing, compared with the calibration's. */
  preprocessingFingerprint: string;
}

/** Everything the HTTP layer needs; built once in `server.ts`, replaced piecewise in tests. */
export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  store: JobStore;
  waiters: CompletionWaiters;
  metrics: GatewayMetrics;
  model: GatewayModel;
  preprocess: Preprocessor;
  checkWebhookUrl: WebhookUrlGuard;
  webhookState: WebhookStateReader;
  /** How /v1 callers are identified: `off` (one anonymous tenant) or `required` (API keys, rate limit). */
  auth: { mode: 'off' | 'required'; lookup: KeyLookup; after?: AfterAuth };
}
