import type { Logger } from '@mserve/common';
import type { GatewayConfig } from './config';
import type { GatewayMetrics } from './metrics';
import type { ModelServing } from './models/serving';
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
  /** The default model's serving version (what `/readyz` and the first entry of `/v1/models` describe). */
  model: GatewayModel;
  preprocess: Preprocessor;
  /** Every model version of the repository: routing, per-version queues and services. */
  models: ModelServing;
  checkWebhookUrl: WebhookUrlGuard;
  webhookState: WebhookStateReader;
}
