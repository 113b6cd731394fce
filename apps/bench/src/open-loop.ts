import http from 'node:http';
import { summarise, type LatencySummary } from './stats';

/** Result of a constant-arrival run. */
export interface OpenLoopResult {
  rate: number;
  durationS: number;
  sent: number;
  ok: number;
  errors: number;
  statusCounts: Record<string, number>;
  achievedRps: number;
  latency: LatencySummary;
  /** Per-response JSON bodies when `collect` is set; used to read batch sizes from results. */
  bodies: unknown[];
}

/**
 * Sends requests at a fixed arrival rate whatever the server does (open loop), and measures each latency from the
 * moment the request was *due*, not when it was sent, so a stalled server cannot hide its queueing delay
 * (coordinated omission).
 */
export async function openLoop(opts: {
  url: string;
  body: Buffer;
  contentType: string;
  rate: number;
  durationS: number;
  collect?: boolean;
  timeoutMs?: number;
}): Promise<OpenLoopResult> {
  const target = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(opts.rate * opts.durationS);
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const bodies: unknown[] = [];
  let ok = 0;
  let errors = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];

  const fire = (due: number): Promise<void> =>
    new Promise((resolve) => {
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: 'POST',
          agent,
          headers: { 'content-type': opts.contentType, 'content-length': opts.body.length },
          timeout: opts.timeoutMs ?? 30000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.push(performance.now() - due);
            const key = String(res.statusCode);
            statusCounts[key] = (statusCounts[key] ?? 0) + 1;
            if (res.statusCode && res.statusCode < 300) ok++;
            else errors++;
            if (opts.collect) {
              try {
                bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
              } catch {
                bodies.push(null);
              }
            }
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        latencies.push(performance.now() - due);
        statusCounts['error'] = (statusCounts['error'] ?? 0) + 1;
        errors++;
        resolve();
      });
      req.end(opts.body);
    });

  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / opts.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(fire(due));
  }
  await Promise.all(pending);
  const elapsedS = (performance.now() - start) / 1000;
  agent.destroy();
  return {
    rate: opts.rate,
    durationS: opts.durationS,
    sent: total,
    ok,
    errors,
    statusCounts,
    achievedRps: ok / elapsedS,
    latency: summarise(latencies),
    bodies,
  };
}
