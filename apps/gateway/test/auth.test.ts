import { randomBytes } from 'node:crypto';
import { verifyWebhook } from '@mserve/webhooks';
import {
  REDIS_URL,
  closeHttp,
  postImage,
  request,
  sampleImages,
  GATEWAY_MAIN,
  WORKER_MAIN,
  waitUntil,
  type Proc,
} from '@mserve/testkit';
import { isolatedPrefix, keysCli, startApp, startNotifier, startReceiver, tenancyAdmin } from './auth-harness';
import { expectMatchesSpec } from './openapi-check';

const prefix = isolatedPrefix('auth');
const admin = tenancyAdmin(prefix);
const bootKey = `msk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
const sharedSecret = `whsec_${randomBytes(24).toString('base64')}`;
const env = {
  REDIS_URL,
  QUEUE_PREFIX: prefix,
  QUEUE_NAME: 'jobs',
  AUTH_MODE: 'required',
  AUTH_BOOTSTRAP_KEYS: `boot:predict+read:${bootKey}`,
  WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
};
const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;
const procs: Proc[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let base = '';
/** Gateway with a tight rate limit and tenant quota on a queue no worker consumes. */
let tight = '';
const keys: Record<string, string> = {};

const bearer = (name: string) => ({ authorization: `Bearer ${keys[name]}` });
const submit = (key: string, query = '?samples=1', headers: Record<string, string> = {}) =>
  postImage(base, '/v1/jobs', digit, query, { ...bearer(key), ...headers });

beforeAll(async () => {
  const made = await Promise.all([
    admin.createKey('acme', ['predict', 'read']),
    admin.createKey('beta', ['predict', 'read']),
    admin.createKey('acme', ['read']),
    admin.createKey('acme', ['predict']),
    admin.createKey('gamma', ['predict', 'read']),
  ]);
  ['acme', 'beta', 'acmeRead', 'acmePredict', 'gamma'].forEach((name, i) => (keys[name] = made[i]!.key));
  receiver = await startReceiver();
  // The second gateway has a tight rate limit and tenant quota, and a queue no worker consumes (jobs stay queued).
  const [g1, g2, w, n] = await Promise.all([
    startApp(GATEWAY_MAIN, env, 'PORT', '/readyz'),
    startApp(
      GATEWAY_MAIN,
      { ...env, QUEUE_NAME: 'idle', RATE_LIMIT_PER_S: '0.2', RATE_LIMIT_BURST: '3', TENANT_MAX_JOBS: '2' },
      'PORT',
      '/readyz',
    ),
    startApp(WORKER_MAIN, { REDIS_URL, QUEUE_PREFIX: prefix, QUEUE_NAME: 'jobs' }, 'WORKER_HTTP_PORT', '/healthz'),
    startNotifier({ REDIS_URL, QUEUE_PREFIX: prefix, WEBHOOK_SECRETS: sharedSecret }),
  ]);
  procs.push(g1.proc, g2.proc, w.proc, n);
  [base, tight] = [g1.base, g2.base];
}, 300_000);

afterAll(async () => {
  closeHttp();
  await Promise.all(procs.map((p) => p.stop()));
  await receiver?.close();
  await admin.drop();
  admin.close();
});

describe('API keys', () => {
  it('refuses a request without a key with 401 AUTH_MISSING and a Bearer challenge', async () => {
    for (const res of [
      await postImage(base, '/v1/jobs', digit, '?samples=1'),
      await request(`${base}/v1/jobs/00000000-0000-4000-8000-000000000000`),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH_MISSING');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="mserve"/);
    }
  });

  it('asks the same keys on the standard protocols: OIP v2 and TF Serving REST refuse a missing key, take a predict key', async () => {
    const b64 = digit.toString('base64');
    const tensor = { name: 'input', shape: [1], datatype: 'BYTES', data: [b64] };
    const oip = (headers: Record<string, string>) =>
      request(`${base}/v2/models/mnist_model/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ inputs: [tensor], parameters: { samples: 1 } }),
      });
    const tf = (headers: Record<string, string>) =>
      request(`${base}/v1/models/mnist_model:predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ instances: [{ b64 }] }),
      });
    const meta = (headers: Record<string, string>) => request(`${base}/v2/models/mnist_model`, { headers });
    for (const res of [await oip({}), await tf({}), await meta({})]) expect(res.status).toBe(401);
    const key = { authorization: `Bearer ${keys['acme']}` };
    for (const res of [await oip(key), await tf(key), await meta(key)]) expect(res.status).toBe(200);
    // Health stays open, like /healthz.
    expect((await request(`${base}/v2/health/live`)).status).toBe(200);
  }, 60_000);

  it('refuses a malformed key with 401 AUTH_INVALID', async () => {
    for (const value of [
      'Bearer not-a-key',
      `Bearer ${keys['acme']}x`,
      `Basic ${keys['acme']}`.replace('Basic', 'Bearer x'),
    ]) {
      const res = await postImage(base, '/v1/jobs', digit, '?samples=1', { authorization: value });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH_INVALID');
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      expectMatchesSpec('/v1/jobs', 'post', res);
    }
  });

  it('refuses a well-formed key that was never issued, or whose secret is wrong, with 401 AUTH_INVALID', async () => {
    const id = keys['acme']!.slice(4, 16);
    const forged = `msk_${id}_${randomBytes(32).toString('base64url')}`;
    const unknown = `msk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
    for (const k of [forged, unknown]) {
      const res = await request(`${base}/v1/models`, { headers: { authorization: `Bearer ${k}` } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH_INVALID');
    }
  });

  it('refuses a key revoked with pnpm keys revoke on every gateway within a second', async () => {
    const made = await keysCli(prefix, ['create', '--tenant', 'delta', '--scopes', 'read', '--json']);
    const { id, key } = JSON.parse(made.stdout) as { id: string; key: string };
    const headers = { authorization: `Bearer ${key}` };
    // Both gateways have the key cached as valid.
    for (const b of [base, tight]) expect((await request(`${b}/v1/models`, { headers })).status).toBe(200);
    const listed = await keysCli(prefix, ['list']);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+delta\\s+read\\s+active`));
    expect(listed.stdout).not.toContain(key.slice(17));
    await keysCli(prefix, ['revoke', id]);
    const revokedAt = Date.now();
    for (const b of [base, tight]) {
      await waitUntil(async () => (await request(`${b}/v1/models`, { headers })).status === 401, 1000, 'revocation');
    }
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    const res = await request(`${tight}/v1/models`, { headers });
    expect(res.body.error.code).toBe('AUTH_INVALID');
    expect((await keysCli(prefix, ['list'])).stdout).toMatch(new RegExp(`${id}\\s+delta\\s+read\\s+revoked`));
  });

  it('refuses a key without the predict scope a submission, and one without read a read, with 403 AUTH_SCOPE', async () => {
    const post = await submit('acmeRead');
    expect(post.status).toBe(403);
    expect(post.body.error.code).toBe('AUTH_SCOPE');
    expectMatchesSpec('/v1/jobs', 'post', post);
    const ok = await submit('acmePredict');
    expect(ok.status).toBe(202);
    const read = await request(`${base}/v1/jobs/${ok.body.id}`, { headers: bearer('acmePredict') });
    expect(read.status).toBe(403);
    expect(read.body.error.code).toBe('AUTH_SCOPE');
    // The tenant's read key sees the job its predict key made.
    expect((await request(`${base}/v1/jobs/${ok.body.id}`, { headers: bearer('acmeRead') })).status).toBe(200);
  });

  it('accepts a key from AUTH_BOOTSTRAP_KEYS (hashed into Redis at start-up)', async () => {
    const res = await postImage(base, '/v1/jobs', digit, '?samples=1', { authorization: `Bearer ${bootKey}` });
    expect(res.status).toBe(202);
    const stored = await admin.keys.get(bootKey.slice(4, 16));
    expect(stored).toMatchObject({ tenant: 'boot', scopes: ['predict', 'read'], source: 'bootstrap' });
    expect(JSON.stringify(await admin.redis.hgetall(`${prefix}:mserve:auth:key:${stored!.id}`))).not.toContain(
      bootKey.slice(17),
    );
  });
});

describe('tenant isolation', () => {
  let acmeJob = '';
  const unknownId = '6f1c2b8e-1d2a-4b7c-9e3f-0a1b2c3d4e5f';
  /** The body of an unknown id's 404, with that id swapped for `id`. */
  const unknownBody = async (id: string, path = '') => {
    const res = await request(`${base}/v1/jobs/${unknownId}${path}`, { headers: bearer('beta') });
    return JSON.parse(res.text.replaceAll(unknownId, id)) as unknown;
  };

  beforeAll(async () => {
    const res = await submit('acme', '?samples=1');
    expect(res.status).toBe(202);
    acmeJob = res.body.id as string;
    const done = await request(`${base}/v1/jobs/${acmeJob}?wait=30`, { headers: bearer('acme') });
    expect(done.body.status).toBe('completed');
  });

  it("answers another tenant's job id on read exactly as an unknown id: 404 NOT_FOUND, the same body", async () => {
    const res = await request(`${base}/v1/jobs/${acmeJob}`, { headers: bearer('beta') });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(await unknownBody(acmeJob));
    expectMatchesSpec('/v1/jobs/{id}', 'get', res);
  });

  it("answers a wait on another tenant's job at once with the same 404 (no long-poll on it)", async () => {
    const queued = await submit('acme', '?samples=1&priority=low');
    const t0 = Date.now();
    const res = await request(`${base}/v1/jobs/${queued.body.id}?wait=10`, { headers: bearer('beta') });
    expect(res.status).toBe(404);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(res.body).toEqual(await unknownBody(queued.body.id as string));
  });

  it("refuses to cancel another tenant's job with the same 404, and the job is left alone", async () => {
    // A job that stays queued: the tight gateway's queue has no worker.
    const queued = await postImage(tight, '/v1/jobs', digit, '?samples=1', bearer('gamma'));
    expect(queued.status).toBe(202);
    const id = queued.body.id as string;
    const other = { ...bearer('beta'), 'content-length': '0' };
    const del = await request(`${tight}/v1/jobs/${id}`, { method: 'DELETE', headers: other });
    const post = await request(`${tight}/v1/jobs/${id}/cancel`, { method: 'POST', headers: other });
    for (const res of [del, post]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      expect(res.body.error.message).toBe(`no job ${id} (unknown, or removed after the retention period)`);
    }
    const still = await request(`${tight}/v1/jobs/${id}`, { headers: bearer('gamma') });
    expect(still.body.status).toBe('queued');
    // Its owner can cancel it (and that frees its slot of the tenant quota).
    const own = await request(`${tight}/v1/jobs/${id}`, { method: 'DELETE', headers: bearer('gamma') });
    expect(own.body.canceled).toBe(true);
  });

  it('keeps Idempotency-Keys per tenant: the same key from two tenants makes two jobs', async () => {
    const headers = { 'idempotency-key': `k-${Date.now()}` };
    const a = await submit('acme', '?samples=1', headers);
    const b = await submit('beta', '?samples=1', headers);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.id).not.toBe(b.body.id);
    const again = await submit('beta', '?samples=1', headers);
    expect(again.body.id).toBe(b.body.id);
  });
});

describe('quotas', () => {
  it('limits a tenant to TENANT_MAX_JOBS unfinished jobs with 429 TENANT_QUOTA, and a key to its rate with 429 RATE_LIMITED', async () => {
    const k = (await admin.createKey('quota', ['predict', 'read'])).key;
    const post = () => postImage(tight, '/v1/jobs', digit, '?samples=1', { authorization: `Bearer ${k}` });
    const [a, b] = [await post(), await post()];
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.headers['ratelimit-policy']).toBe('"per-key";q=3;w=15');
    expect(a.headers['ratelimit']).toMatch(/^"per-key";r=2;t=\d+$/);
    const quota = await post();
    expect(quota.status).toBe(429);
    expect(quota.body.error.code).toBe('TENANT_QUOTA');
    expect(quota.headers['retry-after']).toBeDefined();
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.headers['ratelimit']).toMatch(/^"per-key";r=0;t=\d+$/);
    expectMatchesSpec('/v1/jobs', 'post', limited);
  });
});

describe('per-tenant webhook secrets', () => {
  const hook = (events = ['completed']) =>
    `&webhook=${encodeURIComponent(JSON.stringify({ url: receiver.url, events }))}`;
  async function deliveryOf(jobId: string) {
    await waitUntil(() => receiver.deliveries.some((d) => d.body.includes(jobId)), 30_000, 'delivery');
    return receiver.deliveries.find((d) => d.body.includes(jobId))!;
  }

  it("signs a tenant's delivery with its own secret: another tenant's or the shared secret (a forgery) does not verify", async () => {
    const res = await submit('acme', `?samples=1${hook()}`);
    const d = await deliveryOf(res.body.id as string);
    const acme = await admin.secrets.get('acme');
    const beta = await admin.secrets.get('beta');
    expect(verifyWebhook(d.headers, d.body, acme).payload.data).toMatchObject({ id: res.body.id });
    expect(() => verifyWebhook(d.headers, d.body, beta)).toThrow(/no webhook signature matches/);
    expect(() => verifyWebhook(d.headers, d.body, sharedSecret)).toThrow(/no webhook signature matches/);
  });

  it('refuses a forged signature: beta signing a payload about its own job cannot pass as acme', async () => {
    const { signWebhook } = await import('@mserve/webhooks');
    const body = JSON.stringify({ type: 'job.completed', timestamp: new Date().toISOString(), data: { id: 'x' } });
    const forged = signWebhook('msg_forged', Math.floor(Date.now() / 1000), body, await admin.secrets.get('beta'));
    const acme = await admin.secrets.get('acme');
    expect(() => verifyWebhook(forged, body, acme)).toThrow(/no webhook signature/);
  });

  it('during a rotation signs with both secrets (two v1 signatures), and only the new one after it', async () => {
    const before = await admin.secrets.get('beta');
    const rotated = JSON.parse(
      (await keysCli(prefix, ['webhook-secret', 'rotate', '--tenant', 'beta', '--json'])).stdout,
    ).webhookSecrets as string[];
    expect(rotated).toHaveLength(2);
    expect(rotated[1]).toBe(before[0]);
    await new Promise((r) => setTimeout(r, 1100)); // the notifier's secret cache
    const res = await submit('beta', `?samples=1${hook()}`);
    const d = await deliveryOf(res.body.id as string);
    expect(
      String(d.headers['webhook-signature'])
        .split(' ')
        .filter((s) => s.startsWith('v1,')),
    ).toHaveLength(2);
    expect(() => verifyWebhook(d.headers, d.body, [rotated[0]!])).not.toThrow();
    expect(() => verifyWebhook(d.headers, d.body, [before[0]!])).not.toThrow();
    await keysCli(prefix, ['webhook-secret', 'finish', '--tenant', 'beta']);
    expect(await admin.secrets.get('beta')).toEqual([rotated[0]]);
  });
});

describe('secrets in logs', () => {
  it('never writes an API key, its secret or a webhook secret to a log line of any process', async () => {
    const secrets = [
      ...Object.values(keys).map((k) => k.slice(17)),
      bootKey.slice(17),
      sharedSecret.slice(6),
      ...(await Promise.all(['acme', 'beta', 'boot', 'gamma'].map((t) => admin.secrets.get(t))))
        .flat()
        .map((s) => s.slice(6)),
    ];
    const logs = procs.map((p) => p.output()).join('\n');
    expect(logs.length).toBeGreaterThan(1000);
    expect(logs).toContain('request completed');
    for (const s of secrets) expect(logs.includes(s)).toBe(false);
  });
});
