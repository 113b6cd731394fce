import type { Logger } from '@mserve/common';
import type { GatewayConfig } from './config';
import type { GatewayMetrics } from './metrics';
import type { MonitoringPort } from './monitoring';
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
  /** The drift monitor's state (windows, feedback). */
  monitoring: MonitoringPort;
}
