/**
 * `pnpm test:rollout` (REPORTS=1 writes reports/rollout.json): a measured rollout under steady open-loop load of
 * `/v1/predict` at ROLLOUT_RPS (default 200) against a repository worker. Phases: a new version of mnist_model is
 * copied into the repository while the load runs (it is found, loaded, goes ready and takes the traffic); a canary
 * at ROLLOUT_CANARY_SHARE (default 0.1); a rollback to version 1 by one label change. Counts every non-2xx answer
 * per phase and the share of requests the canary answered. A slow suite of its own (not in `pnpm test`).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assetPath, reportsRequested } from '@mserve/common';
import { modelLabelsKey, versionStatesKey } from '@mserve/contracts';
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

const RPS = Number(process.env['ROLLOUT_RPS'] ?? 200);
const SHARE = Number(process.env['ROLLOUT_CANARY_SHARE'] ?? 0.1);
const TOKEN = 'rollout-token';
const queue = uniqueQueue('rollout');
const repo = mkdtempSync(path.join(os.tmpdir(), 'mserve-rollout-'));
let gateway: { proc: Proc; base: string };
let worker: { proc: Proc; port: number };

interface Tally {
  sent: number;
  ok: number;
  non2xx: number;
  errors: Record<string, number>;
  byVersion: Record<string, number>;
}
const tally = (): Tally => ({ sent: 0, ok: 0, non2xx: 0, errors: {}, byVersion: {} });

/** Open-loop load: RPS requests a second whatever the answers; each answer counts in the phase it was sent in. */
function load(image: Buffer) {
  let phase = tally();
  const inflight = new Set<Promise<void>>();
  const fire = () => {
    const t = phase;
    t.sent++;
    const p = request(`${gateway.base}/v1/predict?model=mnist_model&samples=10`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: image,
      timeoutMs: 30_000,
    })
      .then((r) => {
        if (r.status >= 200 && r.status < 300) {
          t.ok++;
          const v = String(r.body?.model?.version);
          t.byVersion[v] = (t.byVersion[v] ?? 0) + 1;
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
  // Ticks of 20 ms keep the rate steady without one timer per request.
  let due = 0;
  const started = Date.now();
  const timer = setInterval(() => {
    const should = Math.floor(((Date.now() - started) / 1000) * RPS);
    for (; due < should; due++) fire();
  }, 20);
  return {
    /** Ends the current phase (its requests still count in it when they answer) and starts the next. */
    next(): Tally {
      const done = phase;
      phase = tally();
      return done;
    },
    async stop(): Promise<Tally> {
      clearInterval(timer);
      await Promise.all([...inflight]);
      return phase;
    },
  };
}

const setLabels = (labels: unknown) =>
  request(`${gateway.base}/v1/models/mnist_model/labels`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(labels),
  });

const stateOf = async (v: number) => {
  const r = await request(`${gateway.base}/v1/models`);
  const m = r.body.repository.find((x: { name: string }) => x.name === 'mnist_model');
  return m?.versions.find((x: { version: number }) => x.version === v)?.state as string | undefined;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  mkdirSync(path.join(repo, 'mnist_model'));
  symlinkSync(assetPath('models/mnist_model'), path.join(repo, 'mnist_model', '1'));
  const env = { QUEUE_NAME: queue, MODEL_REPOSITORY: repo, MODEL_VERSION_POLICY: 'all', MODEL_POLL_MS: '500' };
  worker = await startWorker(env);
  // A generous Redis deadline: on a loaded machine the gateway's own event-loop lag, not Redis, would trip the
  // default 800 ms and count as failures that have nothing to do with the rollout.
  gateway = await startGateway({
    ...env,
    MODEL_ADMIN_TOKEN: TOKEN,
    WAIT_RECHECK_MS: '200',
    REDIS_TIMEOUT_MS: process.env['ROLLOUT_REDIS_TIMEOUT_MS'] ?? '5000',
  });
  await waitUntil(async () => (await stateOf(1)) === 'ready', 120_000, 'version 1 ready');
}, 180_000);

afterAll(async () => {
  await gateway?.proc.stop();
  await worker?.proc.stop();
  const redis = new IORedis(REDIS_URL);
  await redis.del(versionStatesKey(queue), modelLabelsKey(queue));
  redis.disconnect();
  for (const v of [1, 2]) await dropQueue(`${queue}.mnist_model.v${v}`);
  await dropQueue(queue);
  rmSync(repo, { recursive: true, force: true });
  closeHttp();
}, 60_000);

it('rolls a copied-in version out, canaries and rolls back under steady load with no failed request', async () => {
  const image = sampleImages().find((s) => s.name.endsWith('.png'))?.bytes ?? Buffer.alloc(0);
  const gen = load(image);
  await sleep(5000);
  const warm = gen.next();

  // A new version copied in (not linked) while the load runs: found once its files stop changing, loaded, ready.
  const t0 = Date.now();
  cpSync(assetPath('models/mnist_dropout'), path.join(repo, 'mnist_model', '2'), { recursive: true });
  await waitUntil(async () => (await stateOf(2)) === 'ready', 120_000, 'version 2 ready');
  const readyAfterMs = Date.now() - t0;
  await sleep(5000);
  const rollout = gen.next();
  await sleep(5000);
  const onNew = gen.next();

  expect((await setLabels({ stable: 1, canary: 2, canaryShare: SHARE })).status).toBe(200);
  await sleep(1500); // other gateways would see the label at their next poll; this one applied it at once
  gen.next();
  await sleep(15_000);
  const canary = gen.next();

  expect((await setLabels({ stable: 1 })).status).toBe(200);
  const rollback = gen.next();
  await sleep(5000);
  const afterRollback = await gen.stop();

  const canaryShare = (canary.byVersion['2'] ?? 0) / Math.max(1, canary.ok);
  const phases = { warm, rollout, onNew, canary, rollback, afterRollback };
  const report = {
    measuredAt: new Date().toISOString(),
    command: `REPORTS=1 ROLLOUT_RPS=${RPS} pnpm test:rollout`,
    rps: RPS,
    host: { cpus: os.cpus().length, loadavg1: os.loadavg()[0] },
    versionReadyAfterCopyMs: readyAfterMs,
    canary: { asked: SHARE, measured: canaryShare },
    non2xx: Object.values(phases).reduce((n, p) => n + p.non2xx, 0),
    phases,
  };
  if (reportsRequested())
    writeFileSync(path.join(ROOT, 'reports/rollout.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`${JSON.stringify(report)}\n`);

  expect(report.non2xx).toBe(0);
  expect(onNew.byVersion['2'] ?? 0).toBe(onNew.ok);
  expect(Math.abs(canaryShare - SHARE)).toBeLessThanOrEqual(0.03);
  expect(afterRollback.byVersion['2'] ?? 0).toBe(0);
}, 300_000);
