import { randomUUID } from 'node:crypto';
import type { Logger } from '@mserve/common';
import type { RequestHandler } from 'express';
import type { GatewayMetrics } from './metrics';

declare module 'http' {
  interface IncomingMessage {
    /**
     * The request id: the client's `x-request-id` when well-formed (1 to 128 of `A-Z a-z 0-9 _ . : -`), otherwise a
     * fresh UUID.
     */
    id: string;
    /** A logger bound to the request id, created on first use. */
    log: Logger;
  }
}

const REQUEST_ID_RE = /^[\w.:-]{1,128}$/;
const QUIET = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Request id, access log and latency metric in one middleware with one `finish` listener. The per-request logger
 * is made only when something logs (at the default level, the access line; at `warn`, only failures), so a busy
 * gateway does not pay for a child logger per request it never uses. Every request is logged at `info` (5xx at
 * `error`), health probes and scrapes excepted.
 */
export function requestLog(logger: Logger, metrics: GatewayMetrics): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    if (given !== undefined && id !== given) {
      logger.debug(
        { reqId: id, given: String(given).slice(0, 64), givenLength: given.length },
        'client request id replaced',
      );
    }
    req.id = id;
    res.setHeader('x-request-id', id);
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: false,
      get: () => (child ??= logger.child({ reqId: id })),
    });
    const started = performance.now();
    res.once('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      const route = req.route ? `${req.baseUrl}${String((req.route as { path: string }).path)}` : 'unmatched';
      const status = res.statusCode;
      metrics.httpSeconds.observe({ method: req.method, route, status: String(status) }, seconds);
      const level = status >= 500 ? 'error' : 'info';
      if (QUIET.has(req.path) || !logger.isLevelEnabled(level)) return;
      req.log[level](
        {
          req: { method: req.method, url: req.originalUrl },
          res: { statusCode: status },
          responseTime: Math.round(seconds * 1e4) / 10,
        },
        'request completed',
      );
    });
    next();
  };
}
