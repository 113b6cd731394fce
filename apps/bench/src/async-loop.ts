import { summarise, type LatencySummary } from './stats';

/** Result of the submit-then-long-poll loop. */
export interface AsyncLoopResult {
  clients: number;
  durationS: number;
  completed: number;
  errors: number;
  rps: number;
  latency: LatencySummary;
}

/**
 * The asynchronous client pattern: `POST /v1/jobs`, then `GET /v1/jobs/:id?wait=30` until the job ends, with
 * `clients` such loops in parallel. Latency is submit-to-result as the client sees it.
 */
export async function asyncLoop(opts: {
  baseUrl: string;
  body: Buffer;
  contentType: string;
  clients: number;
  durationS: number;
}): Promise<AsyncLoopResult> {
  const deadline = performance.now() + opts.durationS * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const client = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const sub = await fetch(`${opts.baseUrl}/v1/jobs`, {
          method: 'POST',
          body: opts.body,
          headers: { 'content-type': opts.contentType },
        });
        const job = (await sub.json()) as { id?: string };
        if (sub.status !== 202 || !job.id) {
          errors++;
          continue;
        }
        let status = 'queued';
        while (status === 'queued' || status === 'active') {
          const res = await fetch(`${opts.baseUrl}/v1/jobs/${job.id}?wait=30`);
          const body = (await res.json()) as { status?: string };
          status = body.status ?? 'failed';
        }
        if (status === 'completed') latencies.push(performance.now() - t0);
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.clients }, () => client()));
  const elapsedS = (performance.now() - started) / 1000;
  return {
    clients: opts.clients,
    durationS: opts.durationS,
    completed: latencies.length,
    errors,
    rps: latencies.length / elapsedS,
    latency: summarise(latencies),
  };
}
