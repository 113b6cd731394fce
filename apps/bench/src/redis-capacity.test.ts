import type { BenchReport } from './report';
import { capacityModel, parseBenchmarkCsv, type RedisNodeReport } from './redis-capacity';

const csv = `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"SET","100000.00","0.3","0.1","0.3","0.5","0.7","1.0"
"GET","120000.00","0.3","0.1","0.3","0.5","0.7","1.0"
`;

const node: RedisNodeReport = {
  command: 'pnpm bench:redis',
  generatedAt: '2026-01-01T00:00:00Z',
  machine: { cpus: 2, loadAverage: 0.1 },
  redisVersion: '7.0.15',
  clients: 50,
  requests: 1000,
  perRoundTrip: parseBenchmarkCsv(csv),
  pipelined: [{ test: 'SET', rps: 1_000_000 }],
};

const cost = (commands: number) => ({
  predictions: 100,
  commands,
  scripts: 1,
  bytesIn: 600,
  bytesOut: 400,
  byCommand: [],
});

describe('the Redis capacity model', () => {
  it("reads redis-benchmark's CSV rows", () => {
    expect(parseBenchmarkCsv(csv)).toEqual([
      { test: 'SET', rps: 100000 },
      { test: 'GET', rps: 120000 },
    ]);
  });

  it('gives a shard 70% of the node’s ops/s divided by the commands per prediction, busiest sync step first', () => {
    const bench = {
      redis: {
        sync: [
          { connections: 1, cost: cost(70) },
          { connections: 128, cost: cost(3) },
        ],
        async: cost(50),
      },
    } as unknown as BenchReport;
    const m = capacityModel(node, bench);
    expect(m.opsPerS).toBe(110_000);
    expect(m.rows.map((r) => r.mode)).toEqual([
      'POST /v1/predict, 128 connections (grouped)',
      'POST /v1/predict, one at a time',
      'async submit + long-poll',
    ]);
    expect(m.rows[0]!.predictionsPerShard).toBeCloseTo((0.7 * 110_000) / 3);
    expect(m.rows[2]!.bytesPerPrediction).toBe(1000);
  });

  it('sizes gateway and worker pods per shard from the predictions one core of each serves', () => {
    const bench = {
      redis: { sync: [{ connections: 128, cost: cost(77) }] },
      sync: { best: { rps: 500 } },
      processesAtMax: [
        { name: 'gateway', cpuPercentMean: 100 },
        { name: 'worker-1', cpuPercentMean: 25 },
        { name: 'redis', cpuPercentMean: 5 },
      ],
    } as unknown as BenchReport;
    const m = capacityModel(node, bench);
    // 0.7 * 110,000 / 77 = 1,000 predictions/s per shard; a gateway core serves 500, a worker core 2,000.
    expect(m.rows[0]!.predictionsPerShard).toBeCloseTo(1000);
    expect(m.perCore).toEqual({ gateway: 500, worker: 2000, redisMeasured: 10_000 });
    expect(m.podsPerShard).toEqual({ gateway: Math.ceil(1000 / 350), worker: Math.ceil(1000 / 1400) });
  });
});
