import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  closeHttp,
  freePort,
  postImage,
  request,
  sampleImages,
  startGateway,
  startRedisServer,
  startWorker,
  uniqueQueue,
  type Proc,
} from '@mserve/testkit';

// A Redis that wants a password on its plain port and serves TLS (with the same password) on another: one gateway
// talks to it through `redis://:pw@`, one through `rediss://:pw@`, and the worker through TLS, so a prediction
// crosses both. The self-signed certificate is trusted through NODE_EXTRA_CA_CERTS, as a deployment with a
// private CA would do it.
const PASSWORD = 'fuzz-Redis-pw-7f3a';
const queue = uniqueQueue('redis-auth');
const dir = mkdtempSync(path.join(tmpdir(), 'redis-tls-'));
const cert = path.join(dir, 'cert.pem');
const key = path.join(dir, 'key.pem');
let redis: Proc;
let plainPort = 0;
let worker: Proc;
const gateways: Record<'plain' | 'tls', { proc: Proc; base: string }> = {} as never;
const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;

beforeAll(async () => {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' }); // prettier-ignore
  const [port, tlsPort] = [await freePort(), await freePort()];
  plainPort = port;
  redis = await startRedisServer(port, [
    '--requirepass', PASSWORD, '--tls-port', String(tlsPort), '--tls-cert-file', cert, '--tls-key-file', key,
    '--tls-auth-clients', 'no',
  ]); // prettier-ignore
  const plainUrl = `redis://:${PASSWORD}@127.0.0.1:${port}`;
  const tlsUrl = `rediss://:${PASSWORD}@127.0.0.1:${tlsPort}`;
  const env = { QUEUE_NAME: queue, NODE_EXTRA_CA_CERTS: cert };
  const [plain, tls, w] = await Promise.all([
    startGateway({ ...env, REDIS_URL: plainUrl, CORS_ORIGINS: 'https://app.example' }),
    startGateway({ ...env, REDIS_URL: tlsUrl }),
    startWorker({ ...env, REDIS_URL: tlsUrl }),
  ]);
  gateways.plain = plain;
  gateways.tls = tls;
  worker = w.proc;
}, 120_000);

afterAll(async () => {
  closeHttp();
  await Promise.all([gateways.plain?.proc.stop(), gateways.tls?.proc.stop(), worker?.stop()]);
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis with a password and TLS', () => {
  it.each(['plain', 'tls'] as const)(
    'serves a prediction through a gateway connected with %s and a password, worker over TLS',
    async (which) => {
      const res = await postImage(gateways[which].base, '/v1/predict', digit, '?samples=5');
      expect(res.status).toBe(200);
      expect(res.body.result.prediction).toEqual(expect.any(Number));
    },
  );

  it('refuses a connection without the password, and never prints it', async () => {
    const g = await startGateway({ QUEUE_NAME: queue, REDIS_URL: `redis://127.0.0.1:${plainPort}` }, false);
    try {
      const ready = await request(`${g.base}/readyz`);
      expect(ready.status).toBe(503);
    } finally {
      await g.proc.stop();
    }
    for (const p of [gateways.plain.proc, gateways.tls.proc, worker, g.proc])
      expect(p.output()).not.toContain(PASSWORD);
  });
});

describe('hardening on the running gateway', () => {
  it('answers an allowed origin’s preflight and marks responses nosniff, HTML with its CSP', async () => {
    const { base } = gateways.plain;
    const pre = await request(`${base}/v1/predict`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example');
    const other = await request(`${base}/v1/models`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['x-content-type-options']).toBe('nosniff');
    const docs = await request(`${base}/docs`);
    expect(docs.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(docs.headers['referrer-policy']).toBe('no-referrer');
    // CORS is off on the gateway started without CORS_ORIGINS.
    const off = await request(`${gateways.tls.base}/v1/predict`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(off.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('replaces an over-long or odd X-Request-Id with its own', async () => {
    for (const given of ['r'.repeat(129), 'id with spaces', 'a<script>']) {
      const res = await request(`${gateways.plain.base}/healthz`, { headers: { 'x-request-id': given } });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    const kept = await request(`${gateways.plain.base}/healthz`, { headers: { 'x-request-id': 'r'.repeat(128) } });
    expect(kept.headers['x-request-id']).toBe('r'.repeat(128));
  });
});
