import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { verdicts, type BenchReport } from './report';

/** The part of reports/preprocess.json quoted here: preprocessing cost per upload, by size. */
interface Preprocess {
  command: string;
  costs: { label: string; file: string; mode: string; p50: number }[];
}

function read<T>(dir: string, file: string): T | undefined {
  const p = path.join(dir, file);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : undefined;
}

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const int = (x: number): string => (Number.isFinite(x) ? Math.floor(x).toLocaleString('en-US') : 'n/a');

/**
 * docs/design.md, "Target load and why": the targets against what one node can do, from reports/bench.json and
 * reports/preprocess.json. Explains the distance between the 100 req/s target and the closed-loop maximum.
 */
export function capacitySection(reportsDir: string): string {
  const b = read<BenchReport>(reportsDir, 'bench.json');
  const p = read<Preprocess>(reportsDir, 'preprocess.json');
  if (!b || !p) return 'report missing: run `pnpm bench` and `pnpm preprocess:eval`';
  const within = b.sync.all.filter((r) => r.latency.p99 <= 50 && r.non2xx + r.errors + r.timeouts === 0);
  const bestWithin = within.reduce<(typeof within)[number] | undefined>(
    (a, r) => (!a || r.rps > a.rps ? r : a),
    undefined,
  );
  const costs = p.costs.filter((c) => c.mode === 'mnist');
  const lines = [
    `From \`${b.command}\` (reports/bench.json) and \`${p.command}\` (reports/preprocess.json), on a ${b.machine.cpus}-core machine.`,
    '',
    '| measure | value |',
    '| --- | --- |',
    ...verdicts(b).map(
      (v) => `| target: ${v.target} | ${v.measured}: ${v.pass ? 'met' : `**missed** (${v.shortBy})`} |`,
    ),
    bestWithin
      ? `| closed loop, ${b.image.file} (${b.image.bytes} bytes): most req/s with p99 <= 50 ms | ${f1(bestWithin.rps)} req/s at ${bestWithin.connections} connections (p99 ${f1(bestWithin.latency.p99)} ms) = ${f1(bestWithin.rps / 100)}x the target |`
      : `| closed loop, ${b.image.file}: most req/s with p99 <= 50 ms | none of the steps |`,
    `| closed loop, ${b.image.file}: most req/s at any latency | ${f1(b.sync.best.rps)} req/s at ${b.sync.best.connections} connections (p99 ${f1(b.sync.best.latency.p99)} ms) |`,
    `| preprocessing in the gateway, p50 per upload: ${costs.map((c) => c.label).join(' / ')} | ${costs.map((c) => `${f2(c.p50)} ms`).join(' / ')} |`,
    `| uploads one gateway core preprocesses per second (preprocessing alone, no HTTP, queue or model): ${costs.map((c) => c.label).join(' / ')} | ${costs.map((c) => int(1000 / c.p50)).join(' / ')} |`,
  ];
  return lines.join('\n');
}

/**
 * docs/design.md, scaling: one against two worker processes on the same cores, and where the CPU goes at the
 * maximum, from reports/bench.json.
 */
export function workersSection(reportsDir: string): string {
  const b = read<BenchReport>(reportsDir, 'bench.json');
  if (!b) return 'report missing: run `pnpm bench`';
  const lines = [
    `From \`${b.command}\` (reports/bench.json), ${b.machine.cpus} cores, load generator on the same machine.`,
    '',
    '| measure | value |',
    '| --- | --- |',
  ];
  const { one, two } = b.workers;
  if (two) {
    lines.push(
      `| closed loop at ${one.connections} connections: 1 worker process / 2 worker processes | ${f1(one.rps)} / ${f1(two.rps)} req/s (${f1(((two.rps - one.rps) / one.rps) * 100)}%), p99 ${f1(one.latency.p99)} / ${f1(two.latency.p99)} ms |`,
    );
  }
  const at = b.processesAtMax ?? [];
  if (at.length) {
    const total = at.reduce((s, x) => s + x.cpuPercentMean, 0);
    lines.push(
      `| CPU during the best 1-worker step, mean % of one core | ${at.map((x) => `${x.name} ${f1(x.cpuPercentMean)}`).join(', ')}; together ${f1(total)} of ${b.machine.cpus * 100} |`,
    );
  }
  return lines.join('\n');
}
