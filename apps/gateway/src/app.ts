import { AppError, toAppError } from '@mserve/common';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { clip } from './clip';
import type { GatewayDeps } from './deps';
import { requestLog } from './request-log';
import { jobsRouter } from './routes/jobs';
import { metaRouter } from './routes/meta';
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

  app.use(requestLog(logger, metrics));

  // The TF Serving routes first: `/v1/models/{name}...` would otherwise meet `/v1/models` of the meta router.
  app.use(modelAdminRouter(deps));
  app.use(tfServingRouter(deps));
  app.use(oipRouter(deps));
  app.use(jobsRouter(deps));
  app.use(metaRouter(deps));

  app.use((req, _res, next) => {
    next(new AppError('NOT_FOUND', `no route ${req.method} ${clip(req.path)}`));
  });

  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const appErr = uploadError(err, config.MAX_UPLOAD_BYTES) ?? toAppError(err);
    if (appErr.status >= 500) req.log.error({ err: appErr.cause ?? err }, appErr.message);
    if (appErr.code === 'QUEUE_FULL' || appErr.code === 'REDIS_UNAVAILABLE' || appErr.code === 'NOT_READY') {
      res.set('Retry-After', String(config.RETRY_AFTER_S));
    }
    if (res.headersSent) return;
    res.status(appErr.status).json(appErr.toBody());
  };
  app.use(onError);
  return app;
}
