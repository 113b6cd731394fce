import { AppError, toAppError } from '@mserve/common';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { bearerChallenge, requireAdmin } from './auth';
import { clip } from './clip';
import { cors } from './cors';
import type { GatewayDeps } from './deps';
import { requestLog } from './request-log';
import { securityHeaders } from './security-headers';
import { jobsRouter } from './routes/jobs';
import { metaRouter } from './routes/meta';
import { adminRouter } from './ui/queue-dashboard';
import { uiRouter } from './ui/routes';
import { htmlSecurityHeaders } from './ui/security-headers';
import { traceRequests } from './tracing';
import { tracingRequested } from '@mserve/tracing';
import { monitoringRouter } from './routes/monitoring';
import { modelAdminRouter } from './routes/model-admin';
import { oipRouter } from './protocols/oip';
import { tfServingRouter } from './protocols/tf-serving';
import { uploadError } from './upload';

/** Builds the gateway's Express app from its dependencies (no listening, no connections of its own). */
export function createApp(deps: GatewayDeps): Express {
  const { config, logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  if (tracingRequested()) app.use(traceRequests());
  app.use(requestLog(logger, metrics));
  app.use(securityHeaders());
  app.use(cors(config.CORS_ORIGINS));

  // The TF Serving routes first: `/v1/models/{name}...` would otherwise meet `/v1/models` of the meta router.
  app.use(modelAdminRouter(deps));
  app.use(tfServingRouter(deps));
  app.use(oipRouter(deps));
  app.use(jobsRouter(deps));
  app.use(metaRouter(deps));
  app.use(uiRouter());
  app.use(adminRouter(deps.queueDashboard, deps.adminGuard ?? requireAdmin(deps.auth), htmlSecurityHeaders()));
  app.use(monitoringRouter(deps));

  app.use((req, _res, next) => {
    next(new AppError('NOT_FOUND', `no route ${req.method} ${clip(req.path)}`));
  });

  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const appErr = uploadError(err, config.MAX_UPLOAD_BYTES) ?? toAppError(err);
    if (appErr.status >= 500) req.log.error({ err: appErr.cause ?? err }, appErr.message);
    if (appErr.code === 'QUEUE_FULL' || appErr.code === 'REDIS_UNAVAILABLE' || appErr.code === 'NOT_READY') {
      res.set('Retry-After', String(config.RETRY_AFTER_S));
    }
    if (appErr.code === 'TENANT_QUOTA') res.set('Retry-After', String(config.RETRY_AFTER_S));
    // Appended: the admin pages also challenge for Basic credentials (see requireAdmin).
    if (appErr.status === 401) res.append('WWW-Authenticate', bearerChallenge(appErr.code));
    if (res.headersSent) return;
    res.status(appErr.status).json(appErr.toBody());
  };
  app.use(onError);
  return app;
}
