import http from 'node:http';
import type { Registry } from 'prom-client';

/** What the worker's health endpoint reports. */
export interface WorkerHealth {
  ok: boolean;
  [detail: string]: unknown;
}

/**
 * The worker's small HTTP side: `/healthz` (liveness plus details; 503 only when the worker loop has stopped) and
 * `/metrics`. Plain node:http: it must stay responsive and cheap next to CPU-bound inference.
 */
export function startWorkerHttp(
  port: number,
  host: string,
  registry: Registry,
  health: () => WorkerHealth,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (url === '/healthz' || url === '/readyz') {
      const h = health();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h));
    } else if (url === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"code":"NOT_FOUND","message":"not found"}}');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : port });
    });
  });
}
