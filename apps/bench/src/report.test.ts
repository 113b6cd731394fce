import type { ClosedLoopResult } from './closed-loop';
import { renderMarkdown, verdicts, type BenchReport } from './report';

const loop = (connections: number, rps: number): ClosedLoopResult => ({
  connections,
  durationS: 10,
  rps,
  requests: rps * 10,
  non2xx: 0,
  errors: 0,
  timeouts: 0,
  latency: { mean: 5, p50: 4, p90: 8, p99: 12, max: 20 },
});

function report(over: { p99?: number; errors?: number; syncRps?: number; t1000?: number }): BenchReport {
  const lat = { count: 3000, mean: 5, p50: 4, p90: 8, p99: over.p99 ?? 20, max: 30 };
  return {
    generatedAt: 'now',
    command: 'pnpm bench',
    machine: { cpus: 2, node: 'v20' },
    image: { file: '3.png', bytes: 100 },
    durationS: 1,
    echo: { best: loop(64, 4000), all: [loop(64, 4000)] },
    sync: { best: loop(32, over.syncRps ?? 1200), all: [loop(32, over.syncRps ?? 1200)] },
    open: {
      rate: 100,
      durationS: 30,
      sent: 3000,
      ok: 3000 - (over.errors ?? 0),
      errors: over.errors ?? 0,
      statusCounts: {},
      achievedRps: 100,
      latency: lat,
      meanBatchSize: 1.2,
    },
    async: { clients: 32, durationS: 10, completed: 100, errors: 0, rps: 10, latency: lat },
    samples: [
      { samples: 1, result: loop(32, 1000) },
      { samples: 1000, result: loop(32, over.t1000 ?? 900) },
    ],
    workers: { one: loop(32, 1200) },
    processes: [],
    profiles: {},
    verdicts: [],
  };
}

describe('benchmark verdicts', () => {
  it('passes when every target is met', () => {
    expect(verdicts(report({})).every((v) => v.pass)).toBe(true);
  });

  it('fails the open-loop target on one error even when latency is fine', () => {
    const v = verdicts(report({ errors: 1 }))[0];
    expect(v?.pass).toBe(false);
    expect(v?.shortBy).toContain('1 errors');
  });

  it('says by how much p99, throughput ratio and sample cost fall short', () => {
    const v = verdicts(report({ p99: 62.5, syncRps: 800, t1000: 700 }));
    expect(v.map((x) => x.pass)).toEqual([false, false, false]);
    expect(v[0]?.shortBy).toContain('12.5 ms');
    expect(v[1]?.shortBy).toBe('5.0 points');
    expect(v[2]?.shortBy).toBe('10.0 points');
    expect(renderMarkdown({ ...report({}), verdicts: v })).toContain('no (short by');
  });

  it('words the cost of samples as higher throughput when T=1000 comes out ahead', () => {
    expect(verdicts(report({ t1000: 1041 }))[2]?.measured).toBe('T=1000 1041.0 vs T=1 1000.0 req/s (4.1% higher)');
    expect(verdicts(report({ t1000: 900 }))[2]?.measured).toBe('T=1000 900.0 vs T=1 1000.0 req/s (10.0% lower)');
  });
});
