import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { assetPath, cliArgs, createLogger, repoRoot } from '@mserve/common';
import { asyncLoop } from './async-loop';
import { closedLoop, type ClosedLoopResult } from './closed-loop';
import { MIX_CYCLE, describeMix, mixCycle } from './mixed';
import { multipart, type MultipartBody } from './multipart';
import { openLoop } from './open-loop';
import { measureFloor } from './floor';
import { waitUntilIdle } from './idle';
import { firstJsonLine, spawnTs, stopProc } from './processes';
import { sampleProcesses, type ProcStats } from './procstats';
import { summariseProfileDir } from './profile';
import { readRedisCounters, redisCost, type RedisCost } from './redis-cost';
import { renderMarkdown, verdicts, type BenchReport, type EchoOpenLoop } from './report';
import { startStack, type Stack } from './stack';

const log = createLogger('bench');

const { values: args } = parseArgs({
  args: cliArgs(),
  options: {
    url: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'reports' },
    image: { type: 'string', default: 'data/images/3.png' },
    profile: { type: 'boolean', default: false },
    'render-only': { type: 'boolean', default: false },
  },
});

const quick = args.quick === true;
/** The one-connection CPU profiles (reports/bench.md, "Where the time goes") are part of every full run. */
const profile = args.profile === true || !quick;
const D = quick ? 4 : 10; // seconds per closed-loop step
const OPEN_S = quick ? 10 : 30;
/** Arrival rate of the open-loop steps (service and echo alike), requests per second. */
const OPEN_RATE = 100;
const CONCURRENCY = quick ? [1, 8, 32] : [1, 8, 32, 64, 128];
/** Connections of the mixed-workload step (service and echo alike). */
const MIXED_CONNECTIONS = 32;
/** Where the webhook step's deliveries would go; no notifier runs in the bench, so nothing is called. */
const WEBHOOK = JSON.stringify({ url: 'http://127.0.0.1:9/bench-hook', events: ['completed'] });
const SAMPLES = [1, 10, 100, 1000];
/** T of a request that does not say (the gateway's `MC_SAMPLES_DEFAULT`), for the floor's inference part. */
const DEFAULT_REQUEST_SAMPLES = 30;

function best(rows: ClosedLoopResult[]): ClosedLoopResult {
  const ok = rows.filter((r) => r.non2xx === 0 && r.errors === 0 && r.timeouts === 0);
  const pool = ok.length ? ok : rows;
  return pool.reduce((a, b) => (b.rps > a.rps ? b : a));
}

function meanBatch(bodies: unknown[]): number {
  const sizes = bodies
    .map((b) => (b as { timings?: { batchSize?: number } } | null)?.timings?.batchSize)
    .filter((x): x is number => typeof x === 'number');
  return sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : Number.NaN;
}

async function measureEcho(
  body: ReturnType<typeof multipart>,
  mix: MultipartBody[],
  logDir: string,
): Promise<{ best: ClosedLoopResult; all: ClosedLoopResult[]; mixed: ClosedLoopResult; open: EchoOpenLoop }> {
  const echo = spawnTs('echo', 'apps/bench/src/echo-main.ts', { PORT: '0' }, logDir);
  const { port } = await firstJsonLine<{ port: number }>(echo);
  try {
    const all: ClosedLoopResult[] = [];
    for (const c of CONCURRENCY) {
      all.push(await closedLoop({ url: `http://127.0.0.1:${port}/echo`, ...body, connections: c, durationS: D }));
      log.info({ step: 'echo', connections: c, rps: all.at(-1)?.rps }, 'measured');
    }
    const mixed = await closedLoop({
      url: `http://127.0.0.1:${port}/echo`,
      ...body,
      cycle: mix,
      connections: MIXED_CONNECTIONS,
      durationS: D,
    });
    log.info({ step: 'echo mixed', rps: mixed.rps }, 'measured');
    // The same arrival rate, client and upload as the service's open-loop step: what this machine and client add to
    // a tail before any queue, preprocessing or model is involved.
    const { bodies: _bodies, ...open } = await openLoop({
      url: `http://127.0.0.1:${port}/echo`,
      ...body,
      rate: OPEN_RATE,
      durationS: OPEN_S,
    });
    log.info({ step: 'echo open loop', p99: open.latency.p99 }, 'measured');
    return { best: best(all), all, mixed, open };
  } finally {
    await stopProc(echo);
  }
}

async function warmUp(url: string, body: ReturnType<typeof multipart>): Promise<void> {
  // The first requests pay for model load and JIT; the numbers should not.
  await closedLoop({ url: `${url}/v1/predict`, ...body, connections: 4, durationS: 2 });
}

async function main(): Promise<void> {
  const root = repoRoot();
  const outDir = path.resolve(root, args.out ?? 'reports');
  if (args['render-only']) {
    // Re-judges the verdicts and re-renders bench.md from bench.json after a change to the rules or the layout,
    // without measuring again.
    const report = JSON.parse(readFileSync(path.join(outDir, 'bench.json'), 'utf8')) as BenchReport;
    report.verdicts = verdicts(report);
    writeFileSync(path.join(outDir, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(outDir, 'bench.md'), renderMarkdown(report));
    return;
  }
  const logDir = path.join(outDir, 'bench-logs');
  const profileDir = path.join(outDir, 'profiles');
  mkdirSync(outDir, { recursive: true });
  const imagePath = path.isAbsolute(args.image ?? '') ? (args.image as string) : assetPath(args.image ?? '');
  const image = readFileSync(imagePath);
  const file = { field: 'image', filename: path.basename(imagePath), mime: 'image/png', data: image };
  const upload = multipart(file);
  const mix = mixCycle();
  const t0 = Date.now();

  log.info('measuring the bare Express echo ceiling');
  const echo = await measureEcho(upload, mix, logDir);

  let stack: Stack | undefined;
  const external = args.url;
  if (profile) rmSync(profileDir, { recursive: true, force: true });
  // Profiles are written per PID; remember which role each PID had so the report can name them.
  const roles = new Map<number, string>();
  const startOne = async (workers: number, profiled = false): Promise<Stack> => {
    const s = await startStack({
      workers,
      logDir,
      env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1' },
      ...(profiled ? { profileDir } : {}),
    });
    const what = profiled ? 'one connection' : `${workers} worker${workers > 1 ? 's' : ''} stack`;
    for (const p of s.procs) roles.set(p.pid, `${p.name} (${what})`);
    return s;
  };
  try {
    if (!external) stack = await startOne(1);
    const url = external ?? (stack as Stack).url;
    await warmUp(url, upload);

    log.info('closed loop on POST /v1/predict');
    const sync: ClosedLoopResult[] = [];
    const stepProcs: ProcStats[][] = [];
    const redis: NonNullable<BenchReport['redis']> = { sync: [] };
    // What the queue hop costs Redis over a step, per answered request (only for a stack this run started).
    const costOf = async <T>(
      run: () => Promise<T>,
      answered: (r: T) => number,
    ): Promise<{ result: T; cost?: RedisCost }> => {
      if (!stack) return { result: await run() };
      const before = await readRedisCounters(stack.redisPort);
      const result = await run();
      return { result, cost: redisCost(before, await readRedisCounters(stack.redisPort), answered(result)) };
    };
    const answeredOk = (r: ClosedLoopResult) => r.requests - r.non2xx;
    // Every step starts from an idle stack: a saturating step leaves a backlog (up to a job per connection) that
    // the next step would otherwise pay for in its first second.
    const settle = async (step: string, baseUrl = url) => {
      const { state, waitedMs } = await waitUntilIdle(baseUrl);
      if (state === 'busy') log.warn({ step, waitedMs }, 'stack still busy from the step before; measuring anyway');
      if (state === 'unknown') log.debug({ step }, 'the gateway shows no queue metrics; not waiting for it to idle');
    };
    for (const c of CONCURRENCY) {
      await settle(`predict ${c}`);
      // The load generator runs in this process: it is sampled too, as 'bench (load generator)'.
      const sampler = stack
        ? sampleProcesses([...stack.procs, { name: 'bench (load generator)', pid: process.pid }])
        : undefined;
      const step = await costOf(
        () => closedLoop({ url: `${url}/v1/predict`, ...upload, connections: c, durationS: D }),
        answeredOk,
      );
      sync.push(step.result);
      if (step.cost) redis.sync.push({ connections: c, cost: step.cost });
      stepProcs.push(sampler?.stop() ?? []);
      log.info({ step: 'predict', connections: c, rps: sync.at(-1)?.rps }, 'measured');
    }
    const syncBest = best(sync);
    const processesAtMax = stepProcs[sync.indexOf(syncBest)] ?? [];

    log.info(`open loop at ${OPEN_RATE} req/s`);
    await settle('open loop');
    const sampler = stack ? sampleProcesses(stack.procs.filter((p) => p.name !== 'redis')) : undefined;
    const open = await openLoop({
      url: `${url}/v1/predict`,
      ...upload,
      rate: OPEN_RATE,
      durationS: OPEN_S,
      collect: true,
    });
    const procs = sampler?.stop() ?? [];
    const openBatch = meanBatch(open.bodies);

    log.info('async submit + long-poll');
    await settle('async');
    const asyncStep = await costOf(
      () => asyncLoop({ baseUrl: url, ...upload, clients: syncBest.connections, durationS: D }),
      (r) => r.completed,
    );
    const asyncRes = asyncStep.result;
    if (asyncStep.cost) redis.async = asyncStep.cost;

    log.info('async submit + long-poll with a webhook');
    const hooked = multipart(file, { webhook: WEBHOOK });
    await settle('webhook');
    const webhookStep = await costOf(
      () => asyncLoop({ baseUrl: url, ...hooked, clients: 8, durationS: Math.min(D, 4) }),
      (r) => r.completed,
    );
    if (webhookStep.cost) redis.webhook = webhookStep.cost;

    log.info(`mixed workload: ${describeMix()}`);
    await settle('mixed');
    const mixed = await closedLoop({
      url: `${url}/v1/predict`,
      ...upload,
      cycle: mix,
      connections: MIXED_CONNECTIONS,
      durationS: D,
    });
    log.info({ step: 'mixed', rps: mixed.rps }, 'measured');

    log.info('cost of uncertainty: MC samples');
    const samples: { samples: number; result: ClosedLoopResult }[] = [];
    for (const T of SAMPLES) {
      const body = multipart(file, { samples: String(T) });
      await settle(`samples ${T}`);
      const result = await closedLoop({
        url: `${url}/v1/predict`,
        ...body,
        connections: syncBest.connections,
        durationS: D,
      });
      samples.push({ samples: T, result });
      log.info({ step: 'samples', T, rps: result.rps }, 'measured');
    }

    let twoWorkers: ClosedLoopResult | undefined;
    if (stack) {
      await stack.stop();
      stack = await startOne(2);
      await warmUp(stack.url, upload);
      await settle('two workers', stack.url);
      twoWorkers = await closedLoop({
        url: `${stack.url}/v1/predict`,
        ...upload,
        connections: syncBest.connections,
        durationS: D,
      });
      log.info({ step: 'two-workers', rps: twoWorkers.rps }, 'measured');
    }
    if (stack) {
      await stack.stop();
      stack = undefined;
    }
    if (profile && !external) {
      // Where the fixed cost of one request goes: a stack of its own, profiled, fed one request at a time (the
      // profiler's overhead stays out of the measured steps above).
      log.info('CPU profiles at one connection');
      stack = await startOne(1, true);
      await warmUp(stack.url, upload);
      await closedLoop({ url: `${stack.url}/v1/predict`, ...upload, connections: 1, durationS: D });
      await stack.stop();
      stack = undefined;
    }

    log.info('floor: the parts of one request, each alone');
    const echoAtOne = echo.all.find((r) => r.connections === 1);
    const floor = echoAtOne
      ? await measureFloor({ image, echoRpsAtOne: echoAtOne.rps, logDir, samples: DEFAULT_REQUEST_SAMPLES })
      : undefined;

    const report: BenchReport = {
      generatedAt: new Date().toISOString(),
      command: `pnpm bench${quick ? ' --quick' : ''}${external ? ` --url ${external}` : ''}`,
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      image: { file: path.basename(imagePath), bytes: image.length },
      durationS: (Date.now() - t0) / 1000,
      echo: { best: echo.best, all: echo.all, open: echo.open },
      sync: { all: sync, best: syncBest },
      mixed: { description: describeMix(), cycle: MIX_CYCLE, service: mixed, echo: echo.mixed },
      ...(redis.sync.length ? { redis } : {}),
      open: { ...open, bodies: undefined, meanBatchSize: openBatch },
      async: asyncRes,
      samples,
      workers: { one: syncBest, ...(twoWorkers ? { two: twoWorkers } : {}) },
      processes: procs,
      processesAtMax,
      profiles: profile ? summariseProfileDir(profileDir, roles) : {},
      ...(floor ? { floor } : {}),
      verdicts: [],
    };
    report.verdicts = verdicts(report);
    writeFileSync(path.join(outDir, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(outDir, 'bench.md'), renderMarkdown(report));
    process.stdout.write(renderMarkdown(report));
  } finally {
    if (stack) await stack.stop();
  }
}

main().catch((e: unknown) => {
  log.error({ err: e }, 'bench failed');
  process.exitCode = 1;
});
