import type { AsyncLoopResult } from './async-loop';
import type { ClosedLoopResult } from './closed-loop';
import type { OpenLoopResult } from './open-loop';
import type { ProcStats } from './procstats';
import type { HotFunction } from './profile';

/** Everything one `pnpm bench` run measured. */
export interface BenchReport {
  generatedAt: string;
  command: string;
  machine: { cpus: number; node: string };
  image: { file: string; bytes: number };
  durationS: number;
  echo: { best: ClosedLoopResult; all: ClosedLoopResult[] };
  sync: { best: ClosedLoopResult; all: ClosedLoopResult[] };
  open: Omit<OpenLoopResult, 'bodies'> & { bodies?: undefined; meanBatchSize: number };
  async: AsyncLoopResult;
  samples: { samples: number; result: ClosedLoopResult }[];
  workers: { one: ClosedLoopResult; two?: ClosedLoopResult };
  processes: ProcStats[];
  /** CPU and memory per process during the best closed-loop step (where the machine's time goes at the maximum). */
  processesAtMax?: ProcStats[];
  profiles: Record<string, HotFunction[]>;
  verdicts: Verdict[];
}

/** One acceptance target, what was measured against it, and by how much it passed or fell short. */
export interface Verdict {
  target: string;
  measured: string;
  pass: boolean;
  shortBy?: string;
}

const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** Checks the issue's targets against the measured numbers; never rounds in the service's favour. */
export function verdicts(r: BenchReport): Verdict[] {
  const out: Verdict[] = [];
  const p99 = r.open.latency.p99;
  const openPass = p99 <= 50 && r.open.errors === 0;
  out.push({
    target: '100 req/s open loop: p99 <= 50 ms, zero errors',
    measured: `p99 ${f(p99)} ms, errors ${r.open.errors}/${r.open.sent}`,
    pass: openPass,
    ...(openPass
      ? {}
      : {
          shortBy:
            `${p99 > 50 ? `p99 over by ${f(p99 - 50)} ms` : ''}${r.open.errors ? ` ${r.open.errors} errors` : ''}`.trim(),
        }),
  });
  const ratio = r.sync.best.rps / r.echo.best.rps;
  out.push({
    target: 'max sync throughput >= 25% of bare echo',
    measured: `${f(r.sync.best.rps)} / ${f(r.echo.best.rps)} req/s = ${f(ratio * 100)}%`,
    pass: ratio >= 0.25,
    ...(ratio >= 0.25 ? {} : { shortBy: `${f((0.25 - ratio) * 100)} points` }),
  });
  const t1 = r.samples.find((s) => s.samples === 1)?.result.rps ?? Number.NaN;
  const t1000 = r.samples.find((s) => s.samples === 1000)?.result.rps ?? Number.NaN;
  const drop = 1 - t1000 / t1;
  out.push({
    target: 'throughput at T=1000 within 20% of T=1',
    // Within run-to-run noise T=1000 can come out ahead; say so rather than print a negative drop.
    measured: `T=1000 ${f(t1000)} vs T=1 ${f(t1)} req/s (${f(Math.abs(drop) * 100)}% ${drop >= 0 ? 'lower' : 'higher'})`,
    pass: drop <= 0.2,
    ...(drop <= 0.2 ? {} : { shortBy: `${f((drop - 0.2) * 100)} points` }),
  });
  return out;
}

function loopRow(r: ClosedLoopResult): string {
  return `| ${r.connections} | ${f(r.rps)} | ${f(r.latency.p50)} | ${f(r.latency.p90)} | ${f(r.latency.p99)} | ${f(r.latency.max)} | ${r.non2xx + r.errors + r.timeouts} |`;
}

const LOOP_HEAD =
  '| connections | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |\n| --- | --- | --- | --- | --- | --- | --- |';

/** Human-readable report; every number comes from the same run as bench.json. */
export function renderMarkdown(r: BenchReport): string {
  const lines: string[] = [];
  lines.push('# Benchmark', '');
  lines.push(
    `Generated ${r.generatedAt} by \`${r.command}\` in ${f(r.durationS, 0)} s on ${r.machine.cpus} CPUs, Node ${r.machine.node}; load generator on the same machine. Upload: ${r.image.file} (${r.image.bytes} bytes, multipart).`,
    '',
  );
  lines.push('## Verdicts', '', '| target | measured | pass |', '| --- | --- | --- |');
  for (const v of r.verdicts)
    lines.push(`| ${v.target} | ${v.measured} | ${v.pass ? 'yes' : `no (short by ${v.shortBy})`} |`);
  lines.push('', '## Ceiling: bare Express echo of the same upload', '', LOOP_HEAD, ...r.echo.all.map(loopRow));
  lines.push('', '## POST /v1/predict, closed loop (1 worker)', '', LOOP_HEAD, ...r.sync.all.map(loopRow));
  lines.push(
    '',
    `Best: ${f(r.sync.best.rps)} req/s at ${r.sync.best.connections} connections = ${f((r.sync.best.rps / r.echo.best.rps) * 100)}% of echo (${f(r.echo.best.rps)} req/s).`,
  );
  if (r.processesAtMax?.length) {
    const at = r.processesAtMax.map((p) => `${p.name} ${f(p.cpuPercentMean)}%`).join(', ');
    lines.push(
      '',
      `CPU during that step, mean % of one core (${r.machine.cpus} cores in all, load generator included): ${at}.`,
    );
  }
  const o = r.open;
  lines.push('', `## Open loop: ${o.rate} req/s for ${o.durationS} s (latency from the scheduled send time)`, '');
  lines.push(
    '| sent | ok | errors | achieved req/s | p50 ms | p90 ms | p99 ms | max ms | mean batch size |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  lines.push(
    `| ${o.sent} | ${o.ok} | ${o.errors} | ${f(o.achievedRps)} | ${f(o.latency.p50)} | ${f(o.latency.p90)} | ${f(o.latency.p99)} | ${f(o.latency.max)} | ${f(o.meanBatchSize, 2)} |`,
  );
  const a = r.async;
  lines.push('', `## Async: POST /v1/jobs then GET ?wait=30, ${a.clients} clients`, '');
  lines.push(
    '| completed | errors | req/s | p50 ms | p90 ms | p99 ms | max ms |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  lines.push(
    `| ${a.completed} | ${a.errors} | ${f(a.rps)} | ${f(a.latency.p50)} | ${f(a.latency.p90)} | ${f(a.latency.p99)} | ${f(a.latency.max)} |`,
  );
  lines.push(
    '',
    '## Cost of uncertainty: MC samples T per request',
    '',
    '| T | req/s | p50 ms | p99 ms | errors |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const s of r.samples)
    lines.push(
      `| ${s.samples} | ${f(s.result.rps)} | ${f(s.result.latency.p50)} | ${f(s.result.latency.p99)} | ${s.result.non2xx + s.result.errors} |`,
    );
  if (r.workers.two) {
    lines.push('', '## Worker processes', '', '| workers | req/s | p50 ms | p99 ms |', '| --- | --- | --- | --- |');
    lines.push(`| 1 | ${f(r.workers.one.rps)} | ${f(r.workers.one.latency.p50)} | ${f(r.workers.one.latency.p99)} |`);
    lines.push(`| 2 | ${f(r.workers.two.rps)} | ${f(r.workers.two.latency.p50)} | ${f(r.workers.two.latency.p99)} |`);
  }
  if (r.processes.length) {
    lines.push(
      '',
      `## Per-process CPU and memory during the ${o.rate} req/s open loop`,
      '',
      '| process | CPU mean % of a core | CPU max % | RSS mean MiB | RSS max MiB |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const p of r.processes)
      lines.push(
        `| ${p.name} | ${f(p.cpuPercentMean)} | ${f(p.cpuPercentMax)} | ${f(p.rssMbMean)} | ${f(p.rssMbMax)} |`,
      );
  }
  const profiled = Object.entries(r.profiles);
  if (profiled.length) {
    lines.push('', '## Where the time goes', '');
    for (const [name, hot] of profiled) {
      const idle = hot.find((h) => h.fn === '(idle)')?.share ?? 0;
      const top = hot
        .filter((h) => h.fn !== '(idle)')
        .slice(0, 5)
        .map((h) => `${h.fn} (${h.where}) ${f(h.share * 100)}%`)
        .join(', ');
      lines.push(`- ${name}: busy ${f((1 - idle) * 100)}% of the run; most self time in ${top}.`);
    }
  }
  for (const [file, hot] of profiled) {
    lines.push('', `## CPU profile ${file}`, '', '| function | where | self ms | share |', '| --- | --- | --- | --- |');
    for (const h of hot) lines.push(`| ${h.fn} | ${h.where} | ${f(h.selfMs)} | ${f(h.share * 100)}% |`);
  }
  return `${lines.join('\n')}\n`;
}
