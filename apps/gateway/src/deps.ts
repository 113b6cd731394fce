import type { Logger } from '@mserve/common';
import type { InputFacts } from '@mserve/contracts';
import type { GatewayConfig } from './config';
import type { GatewayMetrics } from './metrics';
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

/** Image bytes to the model's input tensor plus the facts the OOD detector needs; throws IMAGE_* AppErrors. */
export type Preprocessor = (image: Buffer) => Promise<{
  tensor: Float32Array;
  shape: number[];
  facts: InputFacts;
  ms: number;
}>;

/** Refuses webhook URLs the service must not call (SSRF guard); throws WEBHOOK_URL_REFUSED. */
export type WebhookUrlGuard = (url: string) => Promise<void>;

/** Delivery state of a job's webhook, or null when it has none. */
export type WebhookStateReader = (jobId: string) => Promise<Record<string, unknown> | null>;

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
}
