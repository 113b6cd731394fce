import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { reportsRequested } from '@mserve/common';
import {
  REDIS_URL,
  ROOT,
  closeHttp,
  request,
  sampleImages,
  startGateway,
  startWorker,
  uniqueQueue,
  type Proc,
} from '@mserve/testkit';
import { newApiKey } from '@mserve/tenancy';
import fc from 'fast-check';
import { isolatedPrefix, tenancyAdmin } from './auth-harness';
import { specChecker } from './openapi-check';
import { KnownJobs, materialize, planArbitrary, type Identity, type Materialized } from './fuzz/plans';

// Requests generated from the document the gateway serves, sent concurrently to a real gateway and worker: every
// answer must be declared by the document and match its schema, none may be a 5xx, and both processes must live.
// FUZZ_SEED replays a run (the seed is printed); FUZZ_REQUESTS sizes it.
const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
const REQUESTS = Number(process.env['FUZZ_REQUESTS'] ?? 5000);
const CONCURRENCY = 16;
const MAX_UPLOAD_BYTES = 64 * 1024;

/** A key of `tenant` with `scopes`, as AUTH_BOOTSTRAP_KEYS takes it, and its Authorization header. */
function bootKey(tenant: string, scopes: string[]): { entry: string; headers: Record<string, string> } {
  const { key } = newApiKey();
  return { entry: `${tenant}:${scopes.join('+')}:${key}`, headers: { authorization: `Bearer ${key}` } };
}

/**
 * Who the fuzz sends as, with auth required: two tenants' keys, a read-only key of the first tenant, no key and a
 * key that does not exist. Each job is recorded under the identity that made it, and path ids name any identity's
 * jobs, so requests for another tenant's job are part of the run; `tenant` is what the oracle compares.
 */
const keys = {
  acme: bootKey('acme', ['predict', 'read']),
  beta: bootKey('beta', ['predict', 'read']),
  acmeRead: bootKey('acme', ['read']),
};
const identities: Array<Identity & { tenant?: string }> = [
  { name: 'acme', headers: keys.acme.headers, tenant: 'acme' },
  { name: 'beta', headers: keys.beta.headers, tenant: 'beta' },
  { name: 'acme read-only', headers: keys.acmeRead.headers, tenant: 'acme' },
  { name: 'no key', headers: {} },
  { name: 'unknown key', headers: { authorization: `Bearer ${newApiKey().key}` } },
];

const queue = uniqueQueue('fuzz');
const prefix = isolatedPrefix('fuzz');
const admin = tenancyAdmin(prefix);
let gateway: Proc;
let worker: Proc;
let base = '';

beforeAll(async () => {
  // A key prefix of its own: the bootstrap keys (hashed into Redis) meet no other suite's and are dropped after.
  const env = { REDIS_URL, QUEUE_NAME: queue, QUEUE_PREFIX: prefix };
  const [g, w] = await Promise.all([
    // A 1 s wait bound keeps long-polls on queued jobs from holding the fuzz's connections.
    startGateway({
      ...env,
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      MAX_WAIT_S: '1',
      LOG_LEVEL: 'warn',
      // The plans send this origin (and others) so CORS answers are fuzzed too.
      CORS_ORIGINS: 'https://app.example',
      AUTH_MODE: 'required',
      AUTH_BOOTSTRAP_KEYS: Object.values(keys)
        .map((k) => k.entry)
        .join(','),
      // The rate limit's 429s are tested in the auth suite; here they would only crowd out the other answers.
      RATE_LIMIT_PER_S: '0',
    }),
    startWorker({ ...env, BATCH_MAX_WAIT_MS: '5', LOG_LEVEL: 'warn' }),
  ]);
  gateway = g.proc;
  base = g.base;
  worker = w.proc;
}, 90_000);

afterAll(async () => {
  closeHttp();
  agent.destroy();
  await Promise.all([gateway?.stop(), worker?.stop()]);
  await admin.drop();
  await admin.redis.quit();
});

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** Sends one request; the body is parsed when the response says JSON (HEAD has none). */
function send(m: Materialized): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: unknown }> {
  return new Promise((resolve, reject) => {
    const headers = { ...m.headers, ...(m.body ? { 'content-length': String(m.body.length) } : {}) };
    const req = http.request(`${base}${m.url}`, { method: m.plan.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown;
        if (text && (res.headers['content-type'] ?? '').includes('json')) {
          try {
            body = JSON.parse(text);
          } catch {
            body = { unparseable: text.slice(0, 200) };
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.setTimeout(20_000, () => req.destroy(new Error('no answer within 20 s')));
    req.once('error', reject);
    req.end(m.body);
  });
}

/** Jobs a response accepted: a job's id or a bulk submission's job ids. */
function acceptedIds(body: unknown): string[] {
  const b = body as { id?: unknown; jobIds?: unknown } | undefined;
  if (Array.isArray(b?.jobIds)) return b.jobIds.filter((x): x is string => typeof x === 'string');
  return typeof b?.id === 'string' ? [b.id] : [];
}

function writeFuzzReport(data: Record<string, unknown>, mix: Record<string, number>): void {
  if (!reportsRequested()) return;
  const dir = path.join(ROOT, 'reports');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'fuzz.json'), `${JSON.stringify(data, null, 2)}\n`);
  const rows = Object.entries(mix)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `| ${s} | ${n} |`);
  writeFileSync(
    path.join(dir, 'fuzz.md'),
    [
      '# API fuzz run',
      '',
      `Command: \`${String(data['command'])}\` (seed ${SEED}).`,
      '',
      `${String(data['requests'])} requests in ${String(data['seconds'])} s at concurrency ${CONCURRENCY}: ` +
        `${String(data['violations'])} contract violations, ${String(data['serverErrors'])} 5xx.`,
      '',
      '| status | requests |',
      '| --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
}

/**
 * Paths the gateway serves outside its OpenAPI document: the pages (playground, docs, dashboard; the browser suite
 * tests them) and the standard protocols, which answer in their own formats (OIP v2 under /v2, validated against
 * the official document in the model repository suite; TF Serving REST under /v1/models/{name}).
 */
const OUTSIDE_DOCUMENT = /^\/+($|docs(\/|$)|playground(\/|$)|admin(\/|$)|v2(\/|$)|v1\/models\/.)/i;

describe('API fuzz against a running gateway and worker', () => {
  it('answers thousands of generated valid and invalid requests within the document, with no 5xx and no crash', async () => {
    const served = await request(`${base}/docs/openapi.json`);
    const doc = served.body;
    const check = specChecker(doc);
    const images = sampleImages()
      .map((i) => i.bytes)
      .filter((b) => b.length < MAX_UPLOAD_BYTES);
    const plans = fc.sample(
      planArbitrary(doc, { images, maxUploadBytes: MAX_UPLOAD_BYTES, identities: identities.length }),
      { numRuns: REQUESTS, seed: SEED },
    );
    const jobs = new KnownJobs();
    const statusMix: Record<string, number> = {};
    const kindMix: Record<string, { requests: number; totalMs: number }> = {};
    const violations: string[] = [];
    let sent = 0;
    const started = performance.now();

    const lane = async () => {
      while (sent < plans.length) {
        const plan = plans[sent++]!;
        const m = materialize(plan, identities, jobs);
        const where = `${plan.method} ${m.url.slice(0, 200)} [${plan.kind}]`;
        const kind = plan.kind.split(' ').pop()!;
        const t0 = performance.now();
        try {
          const res = await send(m);
          statusMix[res.status] = (statusMix[res.status] ?? 0) + 1;
          const k = (kindMix[kind] ??= { requests: 0, totalMs: 0 });
          k.requests += 1;
          k.totalMs += Math.round(performance.now() - t0);
          // The path as the server sees it (the client resolves dot segments), and the template it falls under.
          const pathname = new URL(`${base}${m.url}`).pathname;
          const problem =
            res.status >= 500
              ? `answered ${res.status}: ${JSON.stringify(res.body)}`
              : OUTSIDE_DOCUMENT.test(pathname)
                ? undefined // served outside the document, each with tests of its own
                : check.anyResponse(check.routeOf(pathname), plan.method, res);
          if (problem) violations.push(`${where}: ${problem}`);
          // Nothing crosses tenants: another tenant's job is answered as an unknown one (404), never shown (an
          // OPTIONS answers with the path's methods, whoever asks, and reads no job).
          const requester = identities[plan.identity % identities.length]!;
          const owner = m.owner === undefined ? undefined : identities[m.owner % identities.length]!;
          if (owner && owner.tenant !== requester.tenant && plan.method !== 'OPTIONS' && res.status < 300) {
            violations.push(`${where}: ${requester.name} got ${res.status} for a job of ${owner.name}`);
          }
          if (plan.method === 'POST' && (res.status === 202 || res.status === 200)) {
            for (const id of acceptedIds(res.body)) jobs.add(plan.identity, id);
          }
        } catch (err) {
          violations.push(`${where}: no response (${(err as Error).message})`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    const seconds = (performance.now() - started) / 1000;

    const serverErrors = Object.entries(statusMix)
      .filter(([s]) => Number(s) >= 500)
      .reduce((a, [, n]) => a + n, 0);
    const summary = {
      measuredAt: new Date().toISOString(),
      command: 'pnpm jest apps/gateway/test/api-fuzz.test.ts',
      seed: SEED,
      requests: sent,
      seconds: Math.round(seconds * 10) / 10,
      requestsPerSecond: Math.round(sent / seconds),
      concurrency: CONCURRENCY,
      identities: identities.map((i) => i.name),
      jobsAccepted: jobs.size,
      violations: violations.length,
      serverErrors,
      statusMix,
      kindMix,
    };
    process.stdout.write(`api fuzz: ${JSON.stringify(summary)}\n`);
    writeFuzzReport(summary, statusMix);

    expect(violations.slice(0, 10)).toEqual([]);
    // Valid submissions were among them (a few dozen in 5,000), not only refusals.
    expect(jobs.size).toBeGreaterThan(0);
    // Both processes survived, and the gateway is still ready.
    expect(gateway.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
    expect((await request(`${base}/readyz`)).status).toBe(200);
    // No key, secret or bearer credential reached a log line.
    for (const k of Object.values(keys)) expect(gateway.output()).not.toContain(k.entry.split(':')[2]);
    expect(gateway.output()).not.toMatch(/"level":(50|60)/);
  }, 300_000);
});
