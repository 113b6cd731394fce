import type { AsyncLoopResult } from './async-loop';
import type { ClosedLoopResult } from './closed-loop';
import type { FloorReport } from './floor';
import type { OpenLoopResult } from './open-loop';
import type { ProcStats } from './procstats';
import type { HotFunction } from './profile';
import type { RedisCost } from './redis-cost';

/** Everything one `pnpm bench` run measured. */
export interface BenchReport {
  generatedAt: string;
  command: string;
  machine: { cpus: number; node: string };
  image: { file: string; bytes: number };
  durationS: number;
  /** The bare echo: closed loop per connection count, and (runs since it was added) the same open loop as `open`. */
  echo: { best: ClosedLoopResult; all: ClosedLoopResult[]; open?: EchoOpenLoop };
  sync: { best: ClosedLoopResult; all: ClosedLoopResult[] };
  open: Omit<OpenLoopResult, 'bodies'> & { bodies?: undefined; meanBatchSize: number };
  async: AsyncLoopResult;
  samples: { samples: number; result: ClosedLoopResult }[];
  /** The mixed workload (see `mixed.ts`) against the echo of the same mix, at the same connections. */
  mixed?: { description: string; cycle: number; service: ClosedLoopResult; echo: ClosedLoopResult };
  /** Redis commands and bytes per prediction (INFO deltas of the stack's own Redis), per step. */
  redis?: { sync: Array<{ connections: number; cost: RedisCost }>; async?: RedisCost; webhook?: RedisCost };
  workers: { one: ClosedLoopResult; two?: ClosedLoopResult };
  processes: ProcStats[];
  /** CPU and memory per process during the best closed-loop step (where the machine's time goes at the maximum). */
  processesAtMax?: ProcStats[];
  profiles: Record<string, HotFunction[]>;
  /** The parts of one request at one connection, each measured alone (see `floor.ts`). */
  floor?: FloorReport;
  verdicts: Verdict[];
}

/** An open-loop run without the response bodies (the echo's are only the upload sent back). */
export type EchoOpenLoop = Omit<OpenLoopResult, 'bodies'>;

/** One acceptance target, what was measured against it, and by how much it passed or fell short. */
export interface Verdict {
  target: string;
  measured: string;
  pass: boolean;
  shortBy?: string;
}

const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

const errorsOf = (r: ClosedLoopResult): number => r.non2xx + r.errors + r.timeouts;

function verdict(target: string, measured: string, pass: boolean, shortBy: () => string): Verdict {
  return { target, measured, pass, ...(pass ? {} : { shortBy: shortBy() }) };
}

/**
 * CPU ms per answered request of process `p`: during the open loop (`light`) and during the best closed-loop step
 * (`busy`, 'n/a' when that step was not sampled), as text with two decimals.
 */
export function cpuPerRequest(r: BenchReport, p: ProcStats): { light: string; busy: string } {
  const perRequest = (cpuPercent: number, rps: number) => f((cpuPercent * 10) / rps, 2);
  const atMax = r.processesAtMax?.find((m) => m.name === p.name);
  return {
    light: perRequest(p.cpuPercentMean, r.open.achievedRps),
    busy: atMax ? perRequest(atMax.cpuPercentMean, r.sync.best.rps) : 'n/a',
  };
}

function openRow(server: string, o: EchoOpenLoop, batch: string): string {
  const l = o.latency;
  return `| ${server} | ${o.sent} | ${o.ok} | ${o.errors} | ${f(o.achievedRps)} | ${f(l.p50)} | ${f(l.p90)} | ${f(l.p99)} | ${f(l.max)} | ${batch} |`;
}

/** Checks the targets against the measured numbers; never rounds in the service's favour. */
export function verdicts(r: BenchReport): Verdict[] {
  const out: Verdict[] = [];
  const p99 = r.open.latency.p99;
  const openErr = r.open.errors;
  const openShort = (bound: number) =>
    `${p99 > bound ? `p99 over by ${f(p99 - bound)} ms` : ''}${openErr ? ` ${openErr} errors` : ''}`.trim();
  // The echo's p99 under the same load is the part of the tail that is this machine and this client, not the service.
  const echoP99 = r.echo.open ? `; bare echo under the same load: p99 ${f(r.echo.open.latency.p99)} ms` : '';
  const openMeasured = `p99 ${f(p99)} ms, errors ${openErr}/${r.open.sent}${echoP99}`;
  out.push(
    verdict('100 req/s open loop: p99 <= 50 ms, zero errors', openMeasured, p99 <= 50 && openErr === 0, () =>
      openShort(50),
    ),
  );
  out.push(
    verdict('100 req/s open loop: p99 <= 5 ms, zero errors', openMeasured, p99 <= 5 && openErr === 0, () =>
      openShort(5),
    ),
  );
  const echoAt = (c: number) => r.echo.all.find((e) => e.connections === c);
  const s1 = r.sync.all.find((x) => x.connections === 1);
  const e1 = echoAt(1);
  if (s1 && e1) {
    const ratio = s1.rps / e1.rps;
    const pass = s1.latency.p50 <= 1.5 && ratio >= 0.12;
    out.push(
      verdict(
        'one connection: predict p50 <= 1.5 ms and >= 12% of the echo at one connection',
        `p50 ${f(s1.latency.p50)} ms, ${f(s1.rps)} / ${f(e1.rps)} req/s = ${f(ratio * 100)}%`,
        pass,
        () =>
          [
            s1.latency.p50 > 1.5 ? `p50 over by ${f(s1.latency.p50 - 1.5)} ms` : '',
            ratio < 0.12 ? `${f((0.12 - ratio) * 100)} points` : '',
          ]
            .filter(Boolean)
            .join(', '),
      ),
    );
  }
  const loaded = r.sync.all
    .filter((x) => x.connections >= 8 && x.connections <= 128)
    .map((x) => ({ x, ratio: x.rps / (echoAt(x.connections)?.rps ?? Number.NaN) }));
  if (loaded.length) {
    const worst = loaded.reduce((a, b) => (!(b.ratio >= a.ratio) ? b : a));
    const pass = loaded.every((l) => l.ratio >= 0.25);
    out.push(
      verdict(
        'every closed-loop step from 8 to 128 connections >= 25% of the echo at the same connections',
        `lowest ${f(worst.ratio * 100)}% at ${worst.x.connections} connections (${loaded.map((l) => `${l.x.connections}: ${f(l.ratio * 100)}%`).join(', ')})`,
        pass,
        () => `${f((0.25 - worst.ratio) * 100)} points at ${worst.x.connections} connections`,
      ),
    );
  }
  const asyncRatio = r.async.rps / r.sync.best.rps;
  out.push(
    verdict(
      'async submit + long-poll >= 70% of the best sync throughput',
      `${f(r.async.rps)} / ${f(r.sync.best.rps)} req/s = ${f(asyncRatio * 100)}%`,
      asyncRatio >= 0.7,
      () => `${f((0.7 - asyncRatio) * 100)} points`,
    ),
  );
  if (r.mixed) {
    const m = r.mixed;
    const ratio = m.service.rps / m.echo.rps;
    out.push(
      verdict(
        `mixed workload (${m.description}) at ${m.service.connections} connections: reported against the echo of the same mix, zero errors`,
        `${f(m.service.rps)} / ${f(m.echo.rps)} req/s = ${f(ratio * 100)}%, errors ${errorsOf(m.service)}`,
        errorsOf(m.service) === 0,
        () => `${errorsOf(m.service)} errors`,
      ),
    );
  }
  const t1 = r.samples.find((s) => s.samples === 1)?.result.rps ?? Number.NaN;
  const t1000 = r.samples.find((s) => s.samples === 1000)?.result.rps ?? Number.NaN;
  const drop = 1 - t1000 / t1;
  out.push(
    verdict(
      'throughput at T=1000 within 10% of T=1',
      // Within run-to-run noise T=1000 can come out ahead; say so rather than print a negative drop.
      `T=1000 ${f(t1000)} vs T=1 ${f(t1)} req/s (${f(Math.abs(drop) * 100)}% ${drop >= 0 ? 'lower' : 'higher'})`,
      drop <= 0.1,
      () => `${f((drop - 0.1) * 100)} points`,
    ),
  );
  const steps: Array<[string, number]> = [
    ...r.sync.all.map((x): [string, number] => [`predict ${x.connections}`, errorsOf(x)]),
    ...r.samples.map((x): [string, number] => [`T=${x.samples}`, errorsOf(x.result)]),
    ['async', r.async.errors],
    ['open loop', r.open.errors],
    ...(r.mixed ? [['mixed', errorsOf(r.mixed.service)] as [string, number]] : []),
    ...(r.workers.two ? [['2 workers', errorsOf(r.workers.two)] as [string, number]] : []),
  ];
  const failing = steps.filter(([, n]) => n > 0);
  out.push(
    verdict(
      'zero errors in every step',
      failing.length ? failing.map(([s, n]) => `${s}: ${n}`).join(', ') : `0 in ${steps.length} steps`,
      failing.length === 0,
      () => `${failing.length} steps with errors`,
    ),
  );
  return out;
}

function mixedRow(name: string, x: ClosedLoopResult, echoRps: number): string {
  return `| ${name} | ${f(x.rps)} | ${f(x.latency.p50)} | ${f(x.latency.p90)} | ${f(x.latency.p99)} | ${f(x.latency.max)} | ${errorsOf(x)} | ${f((x.rps / echoRps) * 100)}% |`;
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
  if (r.floor)
    lines.push(
      '',
      ...floorSection(
        r.floor,
        r.sync.all.find((x) => x.connections === 1),
      ),
    );
  const o = r.open;
  lines.push('', `## Open loop: ${o.rate} req/s for ${o.durationS} s (latency from the scheduled send time)`, '');
  if (r.echo.open) {
    lines.push(
      'The bare echo gets the same arrivals from the same client: its tail is what this machine and client add alone.',
      'The service step starts once the stack is idle (no queued or running job, then 1 s quiet), as every step does.',
      '',
    );
  }
  lines.push(
    '| server | sent | ok | errors | achieved req/s | p50 ms | p90 ms | p99 ms | max ms | mean batch size |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  if (r.echo.open) lines.push(openRow('bare echo', r.echo.open, '-'));
  lines.push(openRow('POST /v1/predict', o, f(o.meanBatchSize, 2)));
  if (r.mixed) {
    const m = r.mixed;
    lines.push(
      '',
      `## Mixed workload: ${m.description}, ${m.service.connections} connections`,
      '',
      `Each connection cycles through the same ${m.cycle} uploads in a fixed order; the echo gets the same bodies.`,
      '',
      '| server | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | % of echo |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      mixedRow('echo', m.echo, m.echo.rps),
      mixedRow('POST /v1/predict', m.service, m.echo.rps),
    );
  }
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
      // CPU per answered request at a light load beside the same at the best closed loop: what a request costs
      // when every one wakes the processes up on its own, against when they stay busy.
      `CPU ms per request: the mean CPU over the step's answered requests per second; at the best closed loop, the same over its ${f(r.sync.best.rps)} req/s.`,
      '',
      '| process | CPU mean % of a core | CPU max % | RSS mean MiB | RSS max MiB | CPU ms per request | at the best closed loop |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const p of r.processes) {
      const cost = cpuPerRequest(r, p);
      lines.push(
        `| ${p.name} | ${f(p.cpuPercentMean)} | ${f(p.cpuPercentMax)} | ${f(p.rssMbMean)} | ${f(p.rssMbMax)} | ${cost.light} | ${cost.busy} |`,
      );
    }
  }
  if (r.redis) lines.push(...redisSection(r.redis));
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

function redisSection(redis: NonNullable<BenchReport['redis']>): string[] {
  const rows: Array<[string, RedisCost]> = [
    ...redis.sync.map((x): [string, RedisCost] => [`POST /v1/predict, ${x.connections} connections`, x.cost]),
    ...(redis.async ? [['async submit + long-poll', redis.async] as [string, RedisCost]] : []),
    ...(redis.webhook ? [['async with a webhook (delivery enqueued)', redis.webhook] as [string, RedisCost]] : []),
  ];
  const top = (c: RedisCost) =>
    c.byCommand
      .slice(0, 6)
      .map((x) => `${x.command} ${f(x.perPrediction, 2)}`)
      .join(', ');
  return [
    '',
    '## Redis per prediction',
    '',
    "INFO commandstats and stats deltas of the stack's own Redis over each step, divided by the predictions answered; commands run inside Lua scripts are counted too, and background work (stalled-job checks, blocking reads, model cards) is included.",
    '',
    '| step | commands | scripts | bytes in | bytes out | most called |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      ([name, c]) =>
        `| ${name} | ${f(c.commands)} | ${f(c.scripts, 2)} | ${f(c.bytesIn, 0)} | ${f(c.bytesOut, 0)} | ${top(c)} |`,
    ),
  ];
}

/** The floor table: each part alone, their sum, and the service's measured median at one connection. */
function floorSection(fl: FloorReport, atOne: ClosedLoopResult | undefined): string[] {
  const row = (part: string, how: string, ms: number) => `| ${part} | ${how} | ${f(ms, 3)} |`;
  return [
    '## Floor of one request at one connection',
    '',
    "Each part the service's shape cannot skip, measured alone in this run, one request at a time (medians).",
    '',
    '| part | measured as | ms |',
    '| --- | --- | --- |',
    row('HTTP', 'bare echo of the same upload: 1000 / its req/s at one connection', fl.httpMs),
    row(
      'queue hop',
      `BullMQ job, no-op processor in another process, add + QueueEvents wait (n=${fl.hop.n})`,
      fl.hop.p50,
    ),
    row('preprocessing', `the upload to the model input, in process (n=${fl.preprocess.n})`, fl.preprocess.p50),
    row('inference', `model pass + uncertainty of one input, default T (n=${fl.inference.n})`, fl.inference.p50),
    row('sum', 'the floor', fl.sumMs),
    ...(atOne
      ? [row('service', 'POST /v1/predict p50 at one connection (autocannon, whole ms)', atOne.latency.p50)]
      : []),
  ];
}
