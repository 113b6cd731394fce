import autocannon from 'autocannon';

/** One closed-loop measurement at a fixed number of connections. */
export interface ClosedLoopResult {
  connections: number;
  durationS: number;
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { mean: number; p50: number; p90: number; p99: number; max: number };
}

/**
 * Closed-loop load with autocannon: each connection sends its next request as soon as the previous answer
 * arrives, which finds the maximum sustainable throughput at that concurrency.
 */
export async function closedLoop(opts: {
  url: string;
  body: Buffer;
  contentType: string;
  connections: number;
  durationS: number;
  method?: 'POST' | 'GET';
  /** Bodies each connection sends in turn, cycling (a mixed workload); `body` is used when absent. */
  cycle?: Array<{ body: Buffer; contentType: string }>;
}): Promise<ClosedLoopResult> {
  const method = opts.method ?? 'POST';
  const r = await autocannon({
    url: opts.url,
    method,
    body: opts.body,
    headers: { 'content-type': opts.contentType },
    ...(opts.cycle
      ? { requests: opts.cycle.map((c) => ({ method, body: c.body, headers: { 'content-type': c.contentType } })) }
      : {}),
    connections: opts.connections,
    duration: opts.durationS,
    timeout: 30,
  });
  return {
    connections: opts.connections,
    durationS: opts.durationS,
    rps: r.requests.average,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    latency: {
      mean: r.latency.average,
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
    },
  };
}
