import os from 'node:os';
import {
  closeHttp,
  request,
  sampleImages,
  startGateway,
  startSentinelTopology,
  startWorker,
  uniqueQueue,
  waitUntil,
  type Proc,
  type SentinelTopology,
} from '@mserve/testkit';
import { writeHaReport } from './report';
import { closeTraffic, startTraffic, summarize, type FailoverSummary, type Outcome } from './traffic';

/**
 * The service on a primary, a replica and three sentinels, the primary killed (SIGKILL) under load: issue #20's
 * 200 requests/s (HA_REQUESTS_PER_S), open loop, of which SUBMIT_PER_S are submissions (checked for loss) and the
 * rest synchronous predictions. What this machine answers in a closed loop is measured just before and reported
 * beside it, so a reader sees how close to its capacity the failover ran.
 */
const REQUESTS_PER_S = Number(process.env['HA_REQUESTS_PER_S'] ?? 200);
const SUBMIT_PER_S = 20;
const SYNC_TIMEOUT_MS = 5000;
/** A request still open this long after it was sent counts as hung: the sync wait plus a generous margin. */
const HANG_MS = SYNC_TIMEOUT_MS + 5000;
/** How long a process may take to start on a busy machine (loading the model). */
const START_MS = 180_000;
const REPETITIONS = Number(process.env['HA_REPETITIONS'] ?? 10);

const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;
const queue = uniqueQueue('ha-sentinel');
let topo: SentinelTopology;
let gateway: Proc;
let durableGateway: Proc;
let worker: Proc;
let base = '';
let durableBase = '';
const results: Record<string, unknown> = {};

beforeAll(async () => {
  topo = await startSentinelTopology(1000);
  const env = {
    // Nothing listens there: every connection must find the primary through the sentinels.
    REDIS_URL: 'redis://127.0.0.1:1',
    REDIS_SENTINELS: topo.sentinelList,
    REDIS_SENTINEL_NAME: topo.name,
    QUEUE_NAME: queue,
    LOG_LEVEL: 'warn',
  };
  const gw = { ...env, SYNC_TIMEOUT_MS: String(SYNC_TIMEOUT_MS), MAX_QUEUE_DEPTH: '2000' };
  // One after the other: three processes loading the model at once on a busy two-core machine can take longer
  // than the harness waits for one.
  const g = await startGateway(gw, true, START_MS);
  // A replica on a starved machine may take longer than the default to confirm: more time for WAIT and the call.
  const d = await startGateway(
    { ...gw, REDIS_DURABLE_ACKS: '1', REDIS_DURABLE_TIMEOUT_MS: '2000', REDIS_TIMEOUT_MS: '3000' },
    true,
    START_MS,
  );
  const w = await startWorker({ ...env, BATCH_MAX_SIZE: '64' }, undefined, START_MS);
  gateway = g.proc;
  base = g.base;
  durableGateway = d.proc;
  durableBase = d.base;
  worker = w.proc;
}, 600_000);

afterAll(async () => {
  closeHttp();
  closeTraffic();
  await Promise.all([gateway?.stop(), durableGateway?.stop(), worker?.stop()]);
  await topo?.stop();
  if (Object.keys(results).length > 0) writeHaReport('ha-sentinel', results, markdown(results));
}, 60_000);

/** Acknowledged submissions (202) whose job the service no longer knows (404) once it answers again. */
async function lostAcknowledged(outcomes: Outcome[], at: string): Promise<string[]> {
  const acked = outcomes.filter((o) => o.kind === 'submit' && o.status === 202 && o.id).map((o) => o.id as string);
  const lost: string[] = [];
  const check = async (id: string) => {
    let r = await request(`${at}/v1/jobs/${id}`).catch(() => undefined);
    // The gateway may still be reconnecting: ask again until it answers something other than 503.
    for (let i = 0; i < 50 && (!r || r.status === 503); i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = await request(`${at}/v1/jobs/${id}`).catch(() => undefined);
    }
    if (r?.status === 404) lost.push(id);
  };
  for (let i = 0; i < acked.length; i += 32) await Promise.all(acked.slice(i, i + 32).map(check));
  return lost;
}

/** Synchronous predictions/s `at` answers with 16 requests in flight for `ms` (what this machine sustains now). */
async function closedLoopRate(at: string, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let ok = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (Date.now() < end) {
        const r = await request(`${at}/v1/predict`, {
          method: 'POST',
          headers: { 'content-type': 'image/png' },
          body: digit,
        }).catch(() => undefined);
        if (r?.status === 200) ok++;
      }
    }),
  );
  return ok / (ms / 1000);
}

let measuredRate: number | undefined;
/** What this machine answers now in a closed loop, measured once per run. */
async function machineRate(): Promise<number> {
  measuredRate ??= await closedLoopRate(base, 4000);
  return measuredRate;
}

/** Waits until `at` acknowledges submissions again (the durable gateway: once a replica is attached). */
async function accepting(at: string, what = 'submissions after the failover'): Promise<void> {
  let last = '';
  await waitUntil(
    async () => {
      const r = await request(`${at}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: digit,
        timeoutMs: 10_000,
      }).catch((e: Error) => ({ status: 0, text: e.message }));
      last = `${r.status} ${r.text.slice(0, 200)}`;
      return r.status === 202;
    },
    60_000,
    what,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; last answer: ${last}`);
  });
}

/** Waits until `at` serves predictions again (after a failover, before the next measurement). */
async function serving(at: string): Promise<void> {
  await waitUntil(
    async () =>
      (
        await request(`${at}/v1/predict`, {
          method: 'POST',
          headers: { 'content-type': 'image/png' },
          body: digit,
          timeoutMs: 10_000,
        }).catch(() => undefined)
      )?.status === 200,
    60_000,
    'predictions after the failover',
  );
}

describe('Redis Sentinel failover', () => {
  it('answers again within 10 s of the primary being killed under load, with 503s meanwhile, never a 500 or a hung request', async () => {
    const sustained = await machineRate();
    const submitPerS = Math.min(SUBMIT_PER_S, REQUESTS_PER_S);
    const traffic = startTraffic({
      base,
      image: digit,
      predictPerS: REQUESTS_PER_S - submitPerS,
      submitPerS,
      hangMs: HANG_MS,
    });
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 4000));
    const { killed, failoverMs } = await topo.killPrimary();
    const killedAt = Date.now() - failoverMs;
    await new Promise((r) => setTimeout(r, Math.max(0, 12_000 - failoverMs)));
    const outcomes = await traffic.stop();
    const summary = summarize(outcomes, killedAt);
    const before = outcomes.filter((o) => o.sentAt < killedAt);
    const okBefore = before.filter((o) => o.status === 200 || o.status === 202).length;
    results['failover'] = {
      requestsPerSAsked: REQUESTS_PER_S,
      requestsPerSOffered: traffic.sentPerS(),
      submitPerS,
      closedLoopPredictPerS: Math.round(sustained * 10) / 10,
      sentinelFailoverMs: failoverMs,
      ...summary,
      answeredOkBeforeKillPerS: Math.round((okBefore / ((killedAt - t0) / 1000)) * 10) / 10,
      acknowledgedSubmissions: outcomes.filter((o) => o.kind === 'submit' && o.status === 202).length,
    };
    await topo.rejoin(killed);
    await serving(base);
    const lost = await lostAcknowledged(outcomes, base);
    Object.assign(results['failover'] as object, { acknowledgedLost: lost.length });
    process.stdout.write(`ha-sentinel failover: ${JSON.stringify(results['failover'])}\n`);
    // The generator kept the asked rate (a late timer catches up), so the bars below hold at 200 requests/s.
    expect(traffic.sentPerS()).toBeGreaterThanOrEqual(REQUESTS_PER_S * 0.95);
    // And the service answered that rate before the kill: otherwise what follows measures a backlog on a machine
    // too busy to serve it (other processes), not a failover; say so instead of reporting hung requests alone.
    const okBeforePerS = (results['failover'] as { answeredOkBeforeKillPerS: number }).answeredOkBeforeKillPerS;
    if (okBeforePerS < REQUESTS_PER_S * 0.9) {
      throw new Error(
        `the service answered ${okBeforePerS} requests/s before the kill, not the ${REQUESTS_PER_S} offered: this machine ` +
          `answers ${Math.round(sustained)} predictions/s in a closed loop now (load average ${os.loadavg()[0]?.toFixed(1)}); ` +
          `run the suite on a machine that is not busy with other work`,
      );
    }
    expect(summary.serverErrors500).toBe(0);
    expect(summary.hung).toBe(0);
    expect(summary.connectionErrors).toBe(0);
    expect(summary.byStatus['503'] ?? 0).toBeGreaterThan(0);
    expect(summary.recoveredAfterMs).not.toBeNull();
    expect(summary.recoveredAfterMs!).toBeLessThan(10_000);
  }, 240_000);

  it(`loses no acknowledged job over ${REPETITIONS} failovers with durable acknowledgements while an idle gateway follows each one, and states the loss without them`, async () => {
    // Submissions only, at most 50/s, within 70% of what the machine answers.
    const submitPerS = Math.max(2, Math.min(50, Math.floor((await machineRate()) * 0.7)));
    const total = (rows: Array<{ acknowledged: number; lost: number }>) => ({
      repetitions: rows.length,
      acknowledged: rows.reduce((n, r) => n + r.acknowledged, 0),
      lost: rows.reduce((n, r) => n + r.lost, 0),
      rows,
    });
    /** `idle`: a gateway that sends nothing meanwhile, which must find each new primary by itself. */
    const run = async (at: string, reps: number, key: string, idle?: string) => {
      const perRep: Array<{
        acknowledged: number;
        lost: number;
        byStatus: Record<string, number>;
        failoverMs: number;
      }> = [];
      for (let i = 0; i < reps; i++) {
        // Submissions only, at a rate the replica keeps up with; the kill lands while they are in flight.
        const traffic = startTraffic({ base: at, image: digit, predictPerS: 0, submitPerS, hangMs: HANG_MS });
        const t0 = Date.now();
        await new Promise((r) => setTimeout(r, 800));
        const { killed, failoverMs } = await topo.killPrimary();
        await new Promise((r) => setTimeout(r, 300));
        const outcomes = await traffic.stop();
        const s: FailoverSummary = summarize(outcomes, t0);
        await topo.rejoin(killed);
        await accepting(at);
        if (idle) await accepting(idle, `an idle gateway after failover ${i + 1}`);
        const lost = await lostAcknowledged(outcomes, at);
        perRep.push({
          acknowledged: outcomes.filter((o) => o.status === 202).length,
          lost: lost.length,
          byStatus: s.byStatus,
          failoverMs,
        });
        // Kept as it goes: a repetition that fails later still leaves the ones before it in the report.
        results[key] = total(perRep);
        expect(s.serverErrors500).toBe(0);
        expect(s.hung).toBe(0);
      }
      return perRep;
    };
    const durable = await run(durableBase, REPETITIONS, 'durableAcksOn', base);
    const plain = await run(base, Math.max(3, Math.ceil(REPETITIONS / 2)), 'durableAcksOff');
    results['durableSubmitPerS'] = submitPerS;
    results['durableAcksOn'] = total(durable);
    results['durableAcksOff'] = total(plain);
    process.stdout.write(
      `ha-sentinel durable: on ${JSON.stringify(total(durable)).slice(0, 200)} off ${JSON.stringify(total(plain)).slice(0, 200)}\n`,
    );
    expect(total(durable).acknowledged).toBeGreaterThan(0);
    expect(total(durable).lost).toBe(0);
  }, 480_000);
});

function markdown(r: Record<string, unknown>): string {
  const f = r['failover'] as (FailoverSummary & Record<string, number>) | undefined;
  const on = r['durableAcksOn'] as { repetitions: number; acknowledged: number; lost: number } | undefined;
  const off = r['durableAcksOff'] as { repetitions: number; acknowledged: number; lost: number } | undefined;
  const lines = ['# Redis Sentinel failover', ''];
  if (f) {
    lines.push(
      '| measure | value |',
      '| --- | --- |',
      `| requests/s asked / offered (of which submissions) | ${f['requestsPerSAsked']} / ${f['requestsPerSOffered']} (${f['submitPerS']}) |`,
      `| synchronous predictions/s this machine answers in a closed loop (16 in flight) | ${f['closedLoopPredictPerS']} |`,
      `| requests answered 2xx per second before the kill | ${f['answeredOkBeforeKillPerS']} |`,
      `| sentinel failover (kill to new primary named) | ${f['sentinelFailoverMs']} ms |`,
      `| service answering again after the kill | ${f.recoveredAfterMs} ms |`,
      `| answers by status | ${JSON.stringify(f.byStatus)} |`,
      `| 500s / hung requests | ${f.serverErrors500} / ${f.hung} |`,
      `| slowest request | ${f.maxLatencyMs} ms |`,
      `| acknowledged jobs lost | ${f['acknowledgedLost']} of ${f['acknowledgedSubmissions']} |`,
      '',
    );
  }
  if (on && off) {
    lines.push(
      '| REDIS_DURABLE_ACKS | failovers | acknowledged jobs | lost |',
      '| --- | --- | --- | --- |',
      `| on | ${on.repetitions} | ${on.acknowledged} | ${on.lost} |`,
      `| off | ${off.repetitions} | ${off.acknowledged} | ${off.lost} |`,
    );
  }
  return lines.join('\n');
}
