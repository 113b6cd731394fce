import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { verdicts, type BenchReport } from './report';

/* The shapes below are the parts of each report this summary reads; the reports hold much more. */
interface ModelCheck {
  command: string;
  results: { metadata: { name: string; loadMs: number }; accuracy: number; n: number }[];
}
interface Preprocess {
  command: string;
  uploads: { sample: number; raw: { accuracy: number }; mnist: { accuracy: number }; naive: { accuracy: number } };
}
interface Evaluation {
  command: string;
  targets: { name: string; value: number; target: string; met: boolean }[];
}
interface Containers {
  command: string;
  totalMsBeforeTeardown: number;
  stops: { service: string; stopMs: number; exitCode: number; graceS: number }[];
}

function read<T>(dir: string, file: string): T | undefined {
  const p = path.join(dir, file);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : undefined;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const num = (x: number, d = 4): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** Four decimals rounded towards failing the target (down for `>=` bars, up for `<=`), never in our favour. */
function againstTarget(x: number, target: string): string {
  if (!Number.isFinite(x)) return 'n/a';
  const scaled = x * 1e4;
  const r = target.trim().startsWith('>') ? Math.floor(scaled) : Math.ceil(scaled);
  return (r / 1e4).toFixed(4);
}

/**
 * The README's "Measured" section, built only from the JSON reports that the repository's commands write, so the
 * README cannot state a number that no command produced. A report that does not exist yet is said to be missing.
 */
export function measuredSummary(reportsDir: string): string {
  const out: string[] = [];
  const mc = read<ModelCheck>(reportsDir, 'model-check.json');
  out.push('| what | measured | source |', '| --- | --- | --- |');
  if (mc) {
    for (const r of mc.results) {
      out.push(
        `| ${r.metadata.name}: MNIST test accuracy (n=${r.n}), load time | ${num(r.accuracy)}, ${r.metadata.loadMs.toFixed(0)} ms | \`${mc.command}\` |`,
      );
    }
  } else out.push('| model accuracy | report missing | `pnpm model:check` |');
  const pp = read<Preprocess>(reportsDir, 'preprocess.json');
  if (pp) {
    const u = pp.uploads;
    out.push(
      `| realistic uploads (n=${u.sample}): accuracy with MNIST-style preprocessing / naive resize / raw test digits | ${pct(u.mnist.accuracy)} / ${pct(u.naive.accuracy)} / ${pct(u.raw.accuracy)} | \`${pp.command}\` |`,
    );
  } else out.push('| preprocessing accuracy | report missing | `pnpm preprocess:eval` |');
  const ev = read<Evaluation>(reportsDir, 'eval.json');
  if (ev) {
    for (const t of ev.targets) {
      out.push(
        `| ${t.name.replace(/\|/g, '\\|')} (target ${t.target}) | ${againstTarget(t.value, t.target)} ${t.met ? '(met)' : '(**missed**)'} | \`${ev.command}\` |`,
      );
    }
  } else out.push('| uncertainty targets | report missing | `pnpm eval` |');
  const b = read<BenchReport>(reportsDir, 'bench.json');
  if (b) {
    // Judged here from the measurements, not copied from the report: a verdict's wording fixed after a run (and
    // any rule change) shows without measuring again.
    for (const v of verdicts(b)) {
      out.push(
        `| ${v.target} | ${v.measured} ${v.pass ? '(met)' : `(**short by ${v.shortBy}**)`} | \`${b.command}\` |`,
      );
    }
    out.push(
      `| bare Express echo vs best sync predict | ${b.echo.best.rps.toFixed(0)} vs ${b.sync.best.rps.toFixed(0)} req/s (${b.sync.best.connections} connections) | \`${b.command}\` |`,
      `| 100 req/s open loop: p50 / p99, mean batch size | ${b.open.latency.p50.toFixed(1)} / ${b.open.latency.p99.toFixed(1)} ms, ${b.open.meanBatchSize.toFixed(2)} | \`${b.command}\` |`,
    );
    for (const p of b.processes) {
      out.push(
        `| ${p.name} at 100 req/s: CPU, peak RSS | ${p.cpuPercentMean.toFixed(0)}% of a core, ${p.rssMbMax.toFixed(0)} MiB | \`${b.command}\` |`,
      );
    }
  } else out.push('| load benchmark | report missing | `pnpm bench` |');
  const ct = read<Containers>(reportsDir, 'containers.json');
  if (ct) {
    const clean = ct.stops.every((s) => s.exitCode === 0 && s.stopMs < s.graceS * 1000);
    out.push(
      `| container test: build, compose up, predict, SIGTERM | ${(ct.totalMsBeforeTeardown / 1000).toFixed(0)} s; every container stopped cleanly within its grace: ${clean ? 'yes' : 'no'} | \`${ct.command}\` |`,
    );
  } else out.push('| container test | report missing | `pnpm test:containers` |');
  return out.join('\n');
}
