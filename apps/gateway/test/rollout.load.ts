/**
 * `pnpm test:rollout` (REPORTS=1 writes reports/rollout.json and .md): a measured rollout under steady open-loop
 * load of `/v1/predict` at ROLLOUT_RPS (default 200) against a repository worker. Version 1 of the model is
 * mnist_dropout; version 2 (mnist_model's weights) is copied into the repository while the load runs, with no
 * calibration in the worker's CALIBRATION_DIR, so it is found, loaded, calibrated in the background, goes ready and
 * takes the traffic. Then a canary at ROLLOUT_CANARY_SHARE (default 0.1) and a rollback to version 1 by one label
 * change. Counts every non-2xx answer per phase and the share of requests the canary answered. Every wait has a
 * deadline and the load stops whatever happens, so the suite ends. A slow suite of its own (not in `pnpm test`).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { assetPath, reportsRequested } from '@mserve/common';
import { modelLabelsKey, versionStatesKey } from '@mserve/contracts';
import { describeSavedModel } from '@mserve/model-runtime/describe';
import {
  closeHttp,
  dropQueue,
  REDIS_URL,
  request,
  ROOT,
  sampleImages,
  startGateway,
  startWorker,
  uniqueQueue,
  waitUntil,
  type Proc,
} from '@mserve/testkit';
import IORedis from 'ioredis';
import { rolloutMarkdown, type PhaseTally, type RolloutReport } from './rollout-report';

const RPS = Number(process.env['ROLLOUT_RPS'] ?? 200);
const SHARE = Number(process.env['ROLLOUT_CANARY_SHARE'] ?? 0.1);
const TOLERANCE = 0.03;
/** Longest the background calibration of version 2 may take (it shares the cores with the load). */
const READY_DEADLINE_MS = Number(process.env['ROLLOUT_READY_DEADLINE_MS'] ?? 240_000);
const TOKEN = 'rollout-token';
const V1 = 'models/mnist_dropout';
const V2 = 'models/mnist_model';
const queue = uniqueQueue('rollout');
const repo = mkdtempSync(path.join(os.tmpdir(), 'mserve-rollout-'));
const calibrationDir = mkdtempSync(path.join(os.tmpdir(), 'mserve-rollout-cal-'));
let gateway: { proc: Proc; base: string } | undefined;
let worker: { proc: Proc; port: number } | undefined;
let generator: ReturnType<typeof load> | undefined;

/**
 * The load's own connection pool, far larger than the traffic needs when the service keeps up (about RPS x the
 * latency): requests leave when they are due instead of queueing behind the 64 sockets of the control requests'
 * pool. Bounded all the same, as a load balancer is: a stall of the gateway then queues requests here (their
 * latency, measured from when they were due, shows it) instead of opening thousands of connections at once.
 */
const loadAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** The parts of an answer the tally reads. */
interface Answer {
  model?: { version?: number };
  error?: { code?: string };
}

function post(url: string, body: Buffer, timeoutMs: number): Promise<{ status: number; body: Answer | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'image/png' }, agent: loadAgent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: Answer | undefined;
          try {
            parsed = JSON.parse(text) as Answer;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('client timeout')));
    req.once('error', reject);
    req.end(body);
  });
}

interface Phase {
  sent: number;
  ok: number;
  non2xx: number;
  errors: Record<string, number>;
  byVersion: Record<string, number>;
  latencies: number[];
}
const phase = (): Phase => ({ sent: 0, ok: 0, non2xx: 0, errors: {}, byVersion: {}, latencies: [] });

const quantile = (xs: number[], q: number): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? null;
};
const summary = (p: Phase): PhaseTally => ({
  sent: p.sent,
  ok: p.ok,
  non2xx: p.non2xx,
  errors: p.errors,
  byVersion: p.byVersion,
  p50Ms: quantile(p.latencies, 0.5),
  p99Ms: quantile(p.latencies, 0.99),
});

/** Open-loop load: RPS requests a second whatever the answers; each answer counts in the phase it was sent in. */
function load(base: string, image: Buffer) {
  let current = phase();
  /** When the first request each version answered was sent. */
  const firstSentAt: Record<string, number> = {};
  const inflight = new Set<Promise<void>>();
  const fire = () => {
    const t = current;
    t.sent++;
    const start = Date.now();
    const p = post(`${base}/v1/predict?model=mnist_model&samples=10`, image, 30_000)
      .then((r) => {
        t.latencies.push(Date.now() - start);
        if (r.status >= 200 && r.status < 300) {
          t.ok++;
          const v = String(r.body?.model?.version);
          t.byVersion[v] = (t.byVersion[v] ?? 0) + 1;
          firstSentAt[v] = Math.min(firstSentAt[v] ?? Infinity, start);
        } else {
          t.non2xx++;
          const code = `${r.status} ${r.body?.error?.code ?? ''}`;
          t.errors[code] = (t.errors[code] ?? 0) + 1;
        }
      })
      .catch((e: Error) => {
        t.non2xx++;
        t.errors[e.message] = (t.errors[e.message] ?? 0) + 1;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  // Ticks of 20 ms keep the rate steady without one timer per request; a late tick sends what fell due.
  let due = 0;
  const started = Date.now();
  const timer = setInterval(() => {
    const should = Math.floor(((Date.now() - started) / 1000) * RPS);
    for (; due < should; due++) fire();
  }, 20);
  let stopped = false;
  return {
    started,
    firstSentAt,
    /** Ends the current phase (its requests still count in it when they answer) and starts the next. */
    next(): Phase {
      const done = current;
      current = phase();
      return done;
    },
    /** Stops sending and waits (at most 35 s: every request has a 30 s client timeout) for the answers. */
    async stop(): Promise<Phase> {
      if (!stopped) clearInterval(timer);
      stopped = true;
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all([...inflight]), new Promise((r) => (timeout = setTimeout(r, 35_000)))]).finally(
        () => clearTimeout(timeout),
      );
      return current;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const setLabels = (labels: unknown) =>
  request(`${gateway!.base}/v1/models/mnist_model/labels`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(labels),
    timeoutMs: 10_000,
  });

const stateOf = async (v: number) => {
  const r = await request(`${gateway!.base}/v1/models`, { timeoutMs: 10_000 });
  const m = r.body.repository.find((x: { name: string }) => x.name === 'mnist_model');
  return m?.versions.find((x: { version: number }) => x.version === v)?.state as string | undefined;
};

/** Calibration artifacts of `dir` by model digest. */
const artifactDigests = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { model?: { digest?: string } }).model?.digest)
    .filter((d): d is string => typeof d === 'string');

let v2Digest = '';

/**
 * Generates the shifted-digits fitting split into its cache (`.calibration/shifted/`, one to two minutes on a fresh
 * clone) before the load starts: a one-off preparation of the data any fit reads, not part of a version's rollout.
 */
function warmShiftedCache(): void {
  const src = path.join(ROOT, 'packages/calibration/src/shifted.ts');
  // The package is CommonJS: its exports arrive as the default export of an ES import.
  const code = `const { default: m } = await import(${JSON.stringify(src)}); await m.loadShifted(m.SHIFTED_FIT);`;
  const r = spawnSync(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', '--input-type=module', '-e', code],
    { cwd: ROOT, encoding: 'utf8', timeout: 240_000 },
  );
  if (r.status !== 0) throw new Error(`warming the shifted-digits cache failed: ${r.error?.message ?? r.stderr}`);
}

beforeAll(async () => {
  warmShiftedCache();
  // Every calibration of the repository's calibration/ but version 2's: it must be fitted during the rollout.
  v2Digest = (await describeSavedModel(assetPath(V2))).digest;
  const source = path.join(ROOT, 'calibration');
  for (const f of readdirSync(source).filter((x) => x.endsWith('.json'))) {
    const digest = (JSON.parse(readFileSync(path.join(source, f), 'utf8')) as { model: { digest: string } }).model
      .digest;
    if (digest !== v2Digest) cpSync(path.join(source, f), path.join(calibrationDir, f));
  }
  expect(artifactDigests(calibrationDir)).not.toContain(v2Digest);

  mkdirSync(path.join(repo, 'mnist_model'));
  symlinkSync(assetPath(V1), path.join(repo, 'mnist_model', '1'));
  const env = { QUEUE_NAME: queue, MODEL_REPOSITORY: repo, MODEL_VERSION_POLICY: 'all', MODEL_POLL_MS: '500' };
  worker = await startWorker({ ...env, CALIBRATION_DIR: calibrationDir, CALIBRATE_MISSING: 'true' });
  // A generous Redis deadline: on a loaded machine the gateway's own event-loop lag, not Redis, would trip the
  // default 800 ms and count as failures that have nothing to do with the rollout.
  gateway = await startGateway({
    ...env,
    MODEL_ADMIN_TOKEN: TOKEN,
    WAIT_RECHECK_MS: '200',
    REDIS_TIMEOUT_MS: process.env['ROLLOUT_REDIS_TIMEOUT_MS'] ?? '5000',
  });
  await waitUntil(async () => (await stateOf(1)) === 'ready', 60_000, 'version 1 ready');
}, 360_000);

afterAll(async () => {
  await generator?.stop();
  loadAgent.destroy();
  await gateway?.proc.stop();
  await worker?.proc.stop();
  const redis = new IORedis(REDIS_URL);
  await redis.del(versionStatesKey(queue), modelLabelsKey(queue));
  redis.disconnect();
  for (const v of [1, 2]) await dropQueue(`${queue}.mnist_model.v${v}`);
  await dropQueue(queue);
  rmSync(repo, { recursive: true, force: true });
  rmSync(calibrationDir, { recursive: true, force: true });
  closeHttp();
}, 90_000);

it('rolls a copied-in uncalibrated version out, canaries and rolls back under steady load with no failed request', async () => {
  const image = sampleImages().find((s) => s.name.endsWith('.png'))?.bytes ?? Buffer.alloc(0);
  const gen = (generator = load(gateway!.base, image));
  await sleep(5000);
  const warm = gen.next();

  // A new version copied in (not linked) while the load runs: found once its files stop changing, loaded, its
  // calibration fitted in a background process, ready.
  const t0 = Date.now();
  cpSync(assetPath(V2), path.join(repo, 'mnist_model', '2'), { recursive: true });
  const statesSeen: string[] = [];
  let lastUnreadyAt = 0;
  await waitUntil(
    async () => {
      const asked = Date.now();
      const s = (await stateOf(2)) ?? 'absent';
      if (statesSeen[statesSeen.length - 1] !== s) statesSeen.push(s);
      if (s !== 'ready') lastUnreadyAt = asked;
      if (s === 'failed') throw new Error(`version 2 failed (states seen: ${statesSeen.join(', ')})`);
      return s === 'ready';
    },
    READY_DEADLINE_MS,
    'version 2 ready',
  ).catch((e: Error) => {
    throw new Error(`${e.message} (states seen: ${statesSeen.join(', ')})`);
  });
  const readyAfterMs = Date.now() - t0;
  const rollout = gen.next();
  await sleep(5000);
  const switching = gen.next();
  await sleep(5000);
  const onNew = gen.next();

  expect((await setLabels({ stable: 1, canary: 2, canaryShare: SHARE })).status).toBe(200);
  await sleep(1000); // other gateways would see the label at their next poll; this one applied it at once
  const canarySettle = gen.next();
  await sleep(15_000);
  const canary = gen.next();

  expect((await setLabels({ stable: 1 })).status).toBe(200);
  await sleep(1000);
  const rollback = gen.next();
  await sleep(5000);
  const afterRollback = await gen.stop();

  const phases = { warm, rollout, switch: switching, onNew, canarySettle, canary, rollback, afterRollback };
  const all = Object.values(phases);
  const canaryShare = (canary.byVersion['2'] ?? 0) / Math.max(1, canary.ok);
  const report: RolloutReport = {
    measuredAt: new Date().toISOString(),
    command: `REPORTS=1 ROLLOUT_RPS=${RPS} pnpm test:rollout`,
    rps: RPS,
    host: { cpus: os.cpus().length, loadavg1: os.loadavg()[0] ?? 0 },
    versionReadyAfterCopyMs: readyAfterMs,
    calibratedInBackground: statesSeen.includes('calibrating'),
    statesSeen,
    canary: { asked: SHARE, measured: canaryShare, tolerance: TOLERANCE },
    non2xx: all.reduce((n, p) => n + p.non2xx, 0),
    sent: all.reduce((n, p) => n + p.sent, 0),
    durationS: Math.round((Date.now() - gen.started) / 1000),
    phases: Object.fromEntries(Object.entries(phases).map(([k, p]) => [k, summary(p)])),
  };
  if (reportsRequested()) {
    writeFileSync(path.join(ROOT, 'reports/rollout.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(ROOT, 'reports/rollout.md'), `# Rollout under load\n\n${rolloutMarkdown(report)}\n`);
  }
  process.stderr.write(`${rolloutMarkdown(report)}\n`);

  expect(report.non2xx).toBe(0);
  // Version 2 started without a calibration: it was fitted in the background and the artifact is where the
  // worker reads it, and version 2 took no request before it was ready.
  expect(report.calibratedInBackground).toBe(true);
  expect(artifactDigests(calibrationDir)).toContain(v2Digest);
  expect(gen.firstSentAt['2']).toBeGreaterThan(lastUnreadyAt);
  expect(onNew.byVersion['2'] ?? 0).toBe(onNew.ok);
  expect(onNew.ok).toBeGreaterThan(0);
  expect(Math.abs(canaryShare - SHARE)).toBeLessThanOrEqual(TOLERANCE);
  expect(afterRollback.ok).toBeGreaterThan(0);
  expect(afterRollback.byVersion['2'] ?? 0).toBe(0);
}, 360_000);
