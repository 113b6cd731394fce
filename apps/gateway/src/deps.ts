import type { Logger } from '@mserve/common';
import type { RequestHandler } from 'express';
import type { AfterAuth, KeyLookup } from './auth';
import type { GatewayConfig } from './config';
import type { GatewayMetrics } from './metrics';
import type { MonitoringPort } from './monitoring';
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
  /**
   * The queue dashboard's handler (Bull Board, mounted at `/admin/queues`); absent when `ADMIN_UI` is off. Built in
   * `server.ts`, which owns and closes its Redis connection.
   */
  queueDashboard?: RequestHandler;
  /**
   * Who may open the admin pages (`/admin/queues`): runs before them and calls `next()` to let a request through or
   * `next(err)` to refuse it. The admin-scope check of API keys plugs in here; without one, everyone may (the
   * dashboard is read-only, and `ADMIN_UI=false` removes it).
   */
  adminGuard?: RequestHandler;
  /** The drift monitor's state (windows, feedback). */
  monitoring: MonitoringPort;
  /** How /v1 callers are identified: `off` (one anonymous tenant) or `required` (API keys, rate limit). */
  auth: { mode: 'off' | 'required'; lookup: KeyLookup; after?: AfterAuth };
}
