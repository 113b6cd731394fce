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

interface Over {
  p99?: number;
  errors?: number;
  syncRps?: number;
  t1000?: number;
  asyncRps?: number;
  c1?: { rps: number; p50: number };
  c8Rps?: number;
  mixedErrors?: number;
}

function report(over: Over): BenchReport {
  const lat = { count: 3000, mean: 5, p50: 4, p90: 8, p99: over.p99 ?? 4, max: 30 };
  const c1 = { ...loop(1, over.c1?.rps ?? 300), latency: { ...loop(1, 0).latency, p50: over.c1?.p50 ?? 1 } };
  const sync = [c1, loop(8, over.c8Rps ?? 1000), loop(32, over.syncRps ?? 1200)];
  const mixedService = { ...loop(32, 400), non2xx: over.mixedErrors ?? 0 };
  return {
    generatedAt: 'now',
    command: 'pnpm bench',
    machine: { cpus: 2, node: 'v20' },
    image: { file: '3.png', bytes: 100 },
    durationS: 1,
    echo: { best: loop(32, 4000), all: [loop(1, 2000), loop(8, 3000), loop(32, 4000)] },
    sync: { best: sync[2]!, all: sync },
    mixed: { description: 'a mix', cycle: 20, service: mixedService, echo: loop(32, 1000) },
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
    async: { clients: 32, durationS: 10, completed: 100, errors: 0, rps: over.asyncRps ?? 900, latency: lat },
    samples: [
      { samples: 1, result: loop(32, 1000) },
      { samples: 1000, result: loop(32, over.t1000 ?? 950) },
    ],
    workers: { one: loop(32, 1200) },
    processes: [],
    profiles: {},
    verdicts: [],
  };
}

const find = (r: BenchReport, start: string) => verdicts(r).find((v) => v.target.startsWith(start));

describe('benchmark verdicts', () => {
  it('passes when every target is met', () => {
    const v = verdicts(report({}));
    expect(v.filter((x) => !x.pass)).toEqual([]);
    expect(v).toHaveLength(8);
  });

  it('fails both open-loop targets on one error even when latency is fine', () => {
    const v = verdicts(report({ errors: 1 })).filter((x) => x.target.startsWith('100 req/s'));
    expect(v.map((x) => x.pass)).toEqual([false, false]);
    expect(v[0]?.shortBy).toContain('1 errors');
    expect(find(report({ errors: 1 }), 'zero errors in every step')?.shortBy).toBe('1 steps with errors');
  });

  it('says by how much p99, throughput ratios and sample cost fall short', () => {
    const r = report({ p99: 62.5, c8Rps: 600, t1000: 700, asyncRps: 600, c1: { rps: 200, p50: 3 } });
    expect(find(r, '100 req/s open loop: p99 <= 50')?.shortBy).toContain('12.5 ms');
    expect(find(r, '100 req/s open loop: p99 <= 5 ')?.shortBy).toContain('57.5 ms');
    expect(find(r, 'one connection')?.shortBy).toBe('p50 over by 1.5 ms, 2.0 points');
    expect(find(r, 'every closed-loop step')?.shortBy).toBe('5.0 points at 8 connections');
    expect(find(r, 'async')?.shortBy).toBe('20.0 points');
    expect(find(r, 'throughput at T=1000')?.shortBy).toBe('20.0 points');
    expect(renderMarkdown({ ...report({}), verdicts: verdicts(r) })).toContain('no (short by');
  });

  it('fails the mixed workload on errors and reports its ratio to the echo of the same mix', () => {
    expect(find(report({}), 'mixed')?.measured).toBe('400.0 / 1000.0 req/s = 40.0%, errors 0');
    expect(find(report({ mixedErrors: 3 }), 'mixed')?.pass).toBe(false);
  });

  it('words the cost of samples as higher throughput when T=1000 comes out ahead', () => {
    expect(find(report({ t1000: 1041 }), 'throughput at T=1000')?.measured).toBe(
      'T=1000 1041.0 vs T=1 1000.0 req/s (4.1% higher)',
    );
    expect(find(report({ t1000: 900 }), 'throughput at T=1000')?.measured).toBe(
      'T=1000 900.0 vs T=1 1000.0 req/s (10.0% lower)',
    );
  });

  it('judges a report from before the mixed step and the one-connection target without them', () => {
    const { mixed: _mixed, ...old } = report({});
    const v = verdicts({ ...old, sync: { ...old.sync, all: old.sync.all.slice(1) } });
    expect(v.some((x) => x.target.startsWith('mixed') || x.target.startsWith('one connection'))).toBe(false);
  });

  it('sets the bare echo under the same open loop beside the service and names its p99 in the open-loop verdicts', () => {
    const base = report({ p99: 9 });
    const echoOpen = { ...base.open, latency: { ...base.open.latency, p99: 6.5 } };
    const withEcho = { ...base, echo: { ...base.echo, open: echoOpen } };
    expect(find(withEcho, '100 req/s open loop: p99 <= 5 ')?.measured).toBe(
      'p99 9.0 ms, errors 0/3000; bare echo under the same load: p99 6.5 ms',
    );
    expect(find(withEcho, '100 req/s open loop: p99 <= 5 ')?.pass).toBe(false);
    const md = renderMarkdown(withEcho);
    expect(md).toMatch(/\| bare echo \| 3000 \| 3000 \| 0 \| 100\.0 \| 4\.0 \| 8\.0 \| 6\.5 \| 30\.0 \| - \|/);
    expect(md).toMatch(
      /\| POST \/v1\/predict \| 3000 \| 3000 \| 0 \| 100\.0 \| 4\.0 \| 8\.0 \| 9\.0 \| 30\.0 \| 1\.20 \|/,
    );
    // A report from before the echo's open loop renders and judges without it.
    expect(renderMarkdown(base)).not.toContain('| bare echo |');
    expect(find(base, '100 req/s open loop: p99 <= 5 ')?.measured).toBe('p99 9.0 ms, errors 0/3000');
  });

  it('shows CPU per request at the open loop beside the same at the best closed loop', () => {
    const proc = (cpuPercentMean: number) => ({
      name: 'gateway',
      pid: 1,
      cpuPercentMean,
      cpuPercentMax: 50,
      rssMbMean: 1,
      rssMbMax: 2,
      samples: 10,
    });
    // 30% of a core at 100 req/s is 3 ms a request; 96% at the best step (1200 req/s) is 0.8 ms.
    const md = renderMarkdown({ ...report({}), processes: [proc(30)], processesAtMax: [proc(96)] });
    expect(md).toMatch(/\| gateway \| 30\.0 \| 50\.0 \| 1\.0 \| 2\.0 \| 3\.00 \| 0\.80 \|/);
    const without = renderMarkdown({ ...report({}), processes: [proc(30)] });
    expect(without).toMatch(/\| gateway \|[^\n]*\| 3\.00 \| n\/a \|/);
  });

  it('shows the floor of one request as its parts, their sum and the service beside it', () => {
    const floor = {
      httpMs: 0.25,
      hop: { p50: 1, p90: 2, n: 10 },
      preprocess: { p50: 0.5, p90: 1, n: 10 },
      inference: { p50: 0.75, p90: 1, n: 10 },
      sumMs: 2.5,
    };
    const md = renderMarkdown({ ...report({ c1: { rps: 200, p50: 4 } }), floor });
    expect(md).toContain('## Floor of one request at one connection');
    expect(md).toMatch(/\| sum \| the floor \| 2\.500 \|/);
    expect(md).toMatch(/\| service \| POST \/v1\/predict p50 at one connection[^|]*\| 4\.000 \|/);
    expect(renderMarkdown(report({}))).not.toContain('## Floor');
  });
});
