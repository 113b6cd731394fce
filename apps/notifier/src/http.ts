import http from 'node:http';
import type { Queue } from 'bullmq';
import type { Logger } from '@mserve/common';
import { countDeadLetters, listDeadLetters, retryDeadLetter } from '@mserve/webhooks';
import { adminAccess } from './admin-auth';
import type { NotifierMetrics } from './metrics';

/** What the operational endpoints read. */
export interface HttpDeps {
  queue: Queue;
  metrics: NotifierMetrics;
  isRunning: () => boolean;
  ping: () => Promise<string>;
  log: Logger;
  /** Bearer token of the dead-letter endpoints; '' disables them. */
  adminToken: string;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Answers for an admin route when the request may not use it: 404 while no token is configured (the routes do
 * not exist), 401 with a challenge for a missing or wrong token. Null when access is granted.
 */
function refuseAdmin(req: http.IncomingMessage, res: http.ServerResponse, token: string): true | null {
  const access = adminAccess(req.headers, token);
  if (access === 'granted') return null;
  if (access === 'disabled') {
    json(res, 404, {
      error: { code: 'NOT_FOUND', message: 'dead-letter endpoints are off: NOTIFIER_ADMIN_TOKEN is unset' },
    });
  } else {
    res.setHeader('www-authenticate', 'Bearer realm="notifier"');
    json(res, 401, { error: { code: 'UNAUTHORIZED', message: 'send Authorization: Bearer <NOTIFIER_ADMIN_TOKEN>' } });
  }
  return true;
}

/**
 * `/healthz` (process up), `/readyz` (consuming and Redis answering), `/metrics` (Prometheus), and, with
 * `Authorization: Bearer <NOTIFIER_ADMIN_TOKEN>`, `GET /dead-letters?offset=&limit=` (newest first,
 * `{total, items}`) and `POST /dead-letters/<id>/retry`. Probes and metrics are open: keep the port off the
 * public network.
 */
export function createHttpServer(deps: HttpDeps): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://notifier');
    const handle = async (): Promise<void> => {
      const retry = /^\/dead-letters\/([^/]+)\/retry$/.exec(url.pathname);
      if ((retry || url.pathname === '/dead-letters') && refuseAdmin(req, res, deps.adminToken)) return;
      if (retry && req.method === 'POST') {
        const id = decodeURIComponent(retry[1] ?? '');
        if (await retryDeadLetter(deps.queue, id)) return json(res, 202, { deliveryId: id, state: 'pending' });
        return json(res, 404, { error: { code: 'NOT_FOUND', message: `no dead letter ${id}` } });
      }
      if (req.method !== 'GET') return json(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'GET only' } });
      switch (url.pathname) {
        case '/healthz':
          return json(res, 200, { status: 'ok' });
        case '/readyz': {
          const ok = deps.isRunning() && (await deps.ping()) === 'PONG';
          return json(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready' });
        }
        case '/metrics': {
          const text = await deps.metrics.registry.metrics();
          res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
          res.end(text);
          return;
        }
        case '/dead-letters': {
          const offset = Math.max(0, Number(url.searchParams.get('offset') ?? 0) || 0);
          const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 100) || 100));
          const [total, items] = await Promise.all([
            countDeadLetters(deps.queue),
            listDeadLetters(deps.queue, { start: offset, end: offset + limit - 1 }),
          ]);
          return json(res, 200, { total, items });
        }
        default:
          return json(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${url.pathname}` } });
      }
    };
    handle().catch((err: unknown) => {
      deps.log.error({ err }, 'notifier http handler failed');
      if (!res.headersSent) json(res, 503, { error: { code: 'REDIS_UNAVAILABLE', message: 'redis unavailable' } });
      else res.destroy();
    });
  });
}
