import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchReport } from './report';

/** reports/redis-node.json: what one Redis node sustains here, measured with redis-benchmark (`pnpm bench:redis`). */
export interface RedisNodeReport {
  command: string;
  generatedAt: string;
  machine: { cpus: number; loadAverage: number };
  redisVersion: string;
  clients: number;
  requests: number;
  /** One command per round trip (`-P 1`), as the service's clients mostly send them. */
  perRoundTrip: Array<{ test: string; rps: number }>;
  /** Sixteen commands per round trip (`-P 16`): the cost of a command alone, as inside a script or a MULTI. */
  pipelined: Array<{ test: string; rps: number }>;
}

/** Parses redis-benchmark's `--csv` output into rows of test and requests per second. */
export function parseBenchmarkCsv(text: string): Array<{ test: string; rps: number }> {
  return text
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(',').map((c) => c.replace(/^"|"$/g, '')))
    .filter((cols) => cols.length >= 2 && Number.isFinite(Number(cols[1])))
    .map((cols) => ({ test: cols[0] as string, rps: Number(cols[1]) }));
}

/** The share of a Redis node's capacity a shard is sized for (the rest absorbs bursts and failovers). */
export const UTILISATION = 0.7;

/** One way of predicting and what it costs a shard. */
export interface CapacityRow {
  mode: string;
  commandsPerPrediction: number;
  bytesPerPrediction: number;
  /** Predictions per second one shard (one primary) takes at {@link UTILISATION} of its measured ops/s. */
  predictionsPerShard: number;
}

/** The sizing of one shard: its predictions per second and the pods that serve them. */
export interface CapacityModel {
  opsPerS: number;
  rows: CapacityRow[];
  /** Predictions/s one core of each process serves, from the bench's best closed-loop step and its CPU shares. */
  perCore: { gateway: number; worker: number; redisMeasured: number } | undefined;
  /** Gateway and worker pods (1 CPU limit, scaled at 70% CPU) per shard at the sync rate of `rows[0]`. */
  podsPerShard: { gateway: number; worker: number } | undefined;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * The capacity model: a shard's predictions/s = {@link UTILISATION} x the node's ops/s (mean of redis-benchmark's
 * one-command-per-round-trip rates) / Redis commands per prediction (the bench's INFO commandstats deltas, commands
 * inside scripts included). Counting every command at the round-trip rate over-charges the commands that run
 * inside scripts, so the model errs low; the bench's measured Redis CPU share is shown beside it as a check.
 */
export function capacityModel(node: RedisNodeReport, bench: BenchReport | undefined): CapacityModel {
  const opsPerS = mean(node.perRoundTrip.map((r) => r.rps));
  const rows: CapacityRow[] = [];
  const row = (mode: string, c: { commands: number; bytesIn: number; bytesOut: number }) =>
    rows.push({
      mode,
      commandsPerPrediction: c.commands,
      bytesPerPrediction: c.bytesIn + c.bytesOut,
      predictionsPerShard: (UTILISATION * opsPerS) / c.commands,
    });
  const sync = bench?.redis?.sync ?? [];
  const busiest = sync.reduce<(typeof sync)[number] | undefined>(
    (a, x) => (!a || x.connections > a.connections ? x : a),
    undefined,
  );
  const single = sync.find((x) => x.connections === 1);
  if (busiest) row(`POST /v1/predict, ${busiest.connections} connections (grouped)`, busiest.cost);
  if (single && single !== busiest) row('POST /v1/predict, one at a time', single.cost);
  if (bench?.redis?.async) row('async submit + long-poll', bench.redis.async);
  if (bench?.redis?.webhook) row('async with a webhook', bench.redis.webhook);

  const at = (name: string) => bench?.processesAtMax?.find((p) => p.name.startsWith(name))?.cpuPercentMean;
  const [g, w, r] = [at('gateway'), at('worker'), at('redis')];
  const perCore =
    bench && g && w && r
      ? {
          gateway: bench.sync.best.rps / (g / 100),
          worker: bench.sync.best.rps / (w / 100),
          redisMeasured: bench.sync.best.rps / (r / 100),
        }
      : undefined;
  const first = rows[0];
  const podsPerShard =
    perCore && first
      ? {
          gateway: Math.ceil(first.predictionsPerShard / (perCore.gateway * UTILISATION)),
          worker: Math.ceil(first.predictionsPerShard / (perCore.worker * UTILISATION)),
        }
      : undefined;
  return { opsPerS, rows, perCore, podsPerShard };
}

function read<T>(dir: string, file: string): T | undefined {
  const p = path.join(dir, file);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : undefined;
}

const int = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');

/** docs/design.md, "Past one Redis": the capacity model, from reports/redis-node.json and reports/bench.json. */
export function redisCapacitySection(reportsDir: string): string {
  const node = read<RedisNodeReport>(reportsDir, 'redis-node.json');
  const bench = read<BenchReport>(reportsDir, 'bench.json');
  if (!node) return 'report missing: run `pnpm bench:redis`';
  const m = capacityModel(node, bench);
  const lines = [
    `From \`${node.command}\` (reports/redis-node.json, ${node.generatedAt}, Redis ${node.redisVersion}, ${node.machine.cpus} cores, load average ${f1(node.machine.loadAverage)} when measured)${bench ? ` and \`${bench.command}\` (reports/bench.json)` : ''}.`,
    '',
    `One Redis node: ${int(m.opsPerS)} commands/s at one command per round trip (mean of ${node.perRoundTrip.map((r) => `${r.test} ${int(r.rps)}`).join(', ')}; ${node.clients} clients), ${int(mean(node.pipelined.map((r) => r.rps)))} commands/s pipelined 16 deep.`,
    '',
    `| prediction | Redis commands per prediction | bytes in+out per prediction | predictions/s per shard at ${UTILISATION * 100}% |`,
    '| --- | --- | --- | --- |',
    ...m.rows.map(
      (r) =>
        `| ${r.mode} | ${f1(r.commandsPerPrediction)} | ${int(r.bytesPerPrediction)} | ${int(r.predictionsPerShard)} |`,
    ),
  ];
  if (m.perCore && m.podsPerShard) {
    lines.push(
      '',
      "| per shard, at the first row's rate | value |",
      '| --- | --- |',
      `| predictions/s per core at the bench's best step: gateway / worker / Redis (measured CPU) | ${int(m.perCore.gateway)} / ${int(m.perCore.worker)} / ${int(m.perCore.redisMeasured)} |`,
      `| Redis at ${UTILISATION * 100}% of a core by its measured CPU share (check of the ops model) | ${int(m.perCore.redisMeasured * UTILISATION)} predictions/s |`,
      `| gateway pods (1 CPU, HPA at 70%) per shard | ${m.podsPerShard.gateway} |`,
      `| worker pods (1 CPU) per shard | ${m.podsPerShard.worker} |`,
    );
  }
  return lines.join('\n');
}
