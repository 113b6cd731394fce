import { randomUUID } from 'node:crypto';
import { AppError, toAppError } from '@mserve/common';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { GatewayDeps } from './deps';
import { jobsRouter } from './routes/jobs';
import { metaRouter } from './routes/meta';
import { uploadError } from './upload';

const REQUEST_ID_RE = /^[\w.:-]{1,128}$/;

/** Builds the gateway's Express app from its dependencies (no listening, no connections of its own). */
export function createApp(deps: GatewayDeps): Express {
  const { config, logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(
    pinoHttp<express.Request, express.Response, never>({
      logger,
      // A client's own id is kept (so it can correlate), otherwise a fresh UUID; the worker logs it with the job.
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );

  const timing: RequestHandler = (req, res, next) => {
    const end = metrics.httpSeconds.startTimer({ method: req.method });
    res.once('finish', () => {
      const route = req.route ? `${req.baseUrl}${String((req.route as { path: string }).path)}` : 'unmatched';
      end({ route, status: String(res.statusCode) });
    });
    next();
  };
  app.use(timing);

  app.use(jobsRouter(deps));
  app.use(metaRouter(deps));

  app.use((req, _res, next) => {
    next(new AppError('NOT_FOUND', `no route ${req.method} ${req.path}`));
  });

  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const appErr = uploadError(err) ?? toAppError(err);
    if (appErr.status >= 500) req.log?.error({ err: appErr.cause ?? err }, appErr.message);
    if (appErr.code === 'QUEUE_FULL' || appErr.code === 'REDIS_UNAVAILABLE' || appErr.code === 'NOT_READY') {
      res.set('Retry-After', String(config.RETRY_AFTER_S));
    }
    if (res.headersSent) return;
    res.status(appErr.status).json(appErr.toBody());
  };
  app.use(onError);
  return app;
}
