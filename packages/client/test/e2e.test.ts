import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { reportsRequested, resolveAssetsDir } from '@mserve/common';
import { MnistApiError, MnistClient, verifyWebhook, type CompletedJob, type JobView } from '../src/index';
import { ROOT, TSX, runCli, startStack, waitUntil, type Stack } from './stack';

/**
 * End to end against real processes: private Redis, worker, gateway, notifier. The webhook receiver listens on
 * 127.0.0.2, the only allowlisted address, so every address of the SSRF list (127.0.0.1 included) stays refused.
 */
describe('SDK and CLI against the running stack', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const images = path.join(resolveAssetsDir(), 'data/images');
  let stack: Stack;
  let client: MnistClient;
  // Measured facts of this run, written to reports/client-e2e.json (the source of numbers quoted about it) when
  // asked with REPORTS=1.
  const report: Record<string, unknown> = { command: 'pnpm jest packages/client/test/e2e.test.ts' };

  beforeAll(async () => {
    stack = await startStack(
      { WEBHOOK_ALLOW_HOSTS: '127.0.0.2' },
      { WEBHOOK_SECRETS: secret, WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms,200ms' },
    );
    client = new MnistClient({ baseUrl: stack.gatewayUrl });
  }, 180_000);

  afterAll(async () => {
    if (reportsRequested()) {
      mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
      writeFileSync(
        path.join(ROOT, 'reports/client-e2e.json'),
        `${JSON.stringify({ measuredAt: new Date().toISOString(), ...report }, null, 2)}\n`,
      );
    }
    await stack?.stop();
  }, 60_000);

  it('predicts the shared images folder with the CLI (JSON): every picture answered', async () => {
    const t0 = Date.now();
    const res = await runCli(['predict', images, '--url', stack.gatewayUrl, '--json', '--concurrency', '4']);
    report['cliPredictFolder'] = { wallMs: Date.now() - t0, exitCode: res.code };
    expect(res.err).toMatch(/progress: 9\/9/);
    const outcomes = JSON.parse(res.out) as Array<{ file: string; job: CompletedJob; error?: unknown }>;
    expect(outcomes.filter((o) => o.error)).toEqual([]);
    expect(res.code).toBe(0);
    expect(outcomes.map((o) => o.file).sort()).toEqual(
      [
        '172.png',
        '3.png',
        '5.png',
        '63.png',
        '65.png',
        'colour_320_232.jpg',
        'colour_320_240.png',
        'colour_500_332.jpg',
        'grayscale_999_893.png',
      ].sort(),
    );
    report['cliPredictFolder'] = {
      ...(report['cliPredictFolder'] as object),
      files: outcomes.length,
      completed: outcomes.filter((o) => o.job?.status === 'completed').length,
      predictions: Object.fromEntries(outcomes.map((o) => [o.file, o.job?.result?.prediction ?? null])),
    };
    for (const o of outcomes.filter((x) => !x.error)) {
      expect(o.job.status).toBe('completed');
      expect(o.job.result?.prediction).toEqual(expect.any(Number));
      expect(o.job.result?.probabilities).toHaveLength(10);
    }
  }, 120_000);

  // The README cites these answers (its example request and its table of the shared images, generated from this
  // report): file names are MNIST test-set indices, not labels, so the test checks each against its true label.
  it("answers the README's example (5.png, MNIST test image #5, a handwritten 1) and each shared digit with its label", async () => {
    const labels = gunzipSync(readFileSync(path.join(resolveAssetsDir(), 'data/mnist/t10k-labels-idx1-ubyte.gz')));
    const form = new FormData();
    form.append('image', new Blob([readFileSync(path.join(images, '5.png'))], { type: 'image/png' }), '5.png');
    const res = await fetch(`${stack.gatewayUrl}/v1/predict`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const example = (await res.json()) as CompletedJob;
    report['readmeExample'] = { request: 'curl -F image=@5.png http://127.0.0.1:8080/v1/predict', response: example };
    expect(example.result?.prediction).toBe(labels[8 + 5]);
    expect(example.result?.uncertainty.reliable).toBe(true);

    const shared: Array<Record<string, unknown>> = [];
    for (const file of readdirSync(images).sort()) {
      const index = /^(\d+)\.png$/.exec(file)?.[1];
      const trueLabel = index === undefined ? null : (labels[8 + Number(index)] ?? null);
      const job = await client.predict(readFileSync(path.join(images, file)), { filename: file });
      const r = job.result;
      shared.push({
        file,
        mnistTestIndex: index === undefined ? null : Number(index),
        trueLabel,
        prediction: r?.prediction,
        probability: r ? r.probabilities[r.prediction] : null,
        reliability: r?.uncertainty.reliability,
        reliable: r?.uncertainty.reliable,
        predictionSet: r?.uncertainty.predictionSet,
        outOfDistribution: r?.uncertainty.outOfDistribution.flag,
      });
      if (trueLabel !== null) expect(r?.prediction).toBe(trueLabel);
      // Photos and the drawing are answered, never trusted.
      else expect(r?.uncertainty.reliable).toBe(false);
    }
    report['sharedImages'] = shared;
  }, 120_000);

  it('prints a readable table for a folder and a single file', async () => {
    const res = await runCli([
      'predict',
      images,
      path.join(images, '3.png'),
      '--url',
      stack.gatewayUrl,
      '--no-progress',
    ]);
    expect(res.code).toBe(0);
    const lines = res.out.trim().split('\n');
    expect(lines[0]).toMatch(/^file\s+pred\s+prob\s+reliability/);
    // Nine distinct files (3.png named twice is predicted once).
    expect(lines).toHaveLength(2 + 9);
    expect(res.err).toBe('');
  }, 120_000);

  it('submits with a webhook; a receiver failing three times gets one verified success and GET shows it', async () => {
    const got: Array<{ headers: http.IncomingHttpHeaders; body: string; status: number }> = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = got.length < 3 ? 503 : 200;
        got.push({ headers: req.headers, body: Buffer.concat(chunks).toString(), status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.2', r));
    try {
      const url = `http://127.0.0.2:${(receiver.address() as AddressInfo).port}/hook`;
      const sub = await runCli(['submit', path.join(images, '5.png'), '--webhook', url, '--url', stack.gatewayUrl]);
      expect(sub.code).toBe(0);
      const id = sub.out.trim();
      const job = await client.wait(id, { timeoutMs: 60_000 });
      expect(job.status).toBe('completed');
      await waitUntil(async () => got.some((g) => g.status === 200), 30_000, 'successful delivery');
      const view = await client.get(id);
      expect(view.webhook).toEqual({ state: 'delivered', attempts: 4, lastStatus: 200, nextAttemptAt: null });
      await new Promise((r) => setTimeout(r, 1000));
      report['webhook'] = { receiverStatuses: got.map((g) => g.status), state: view.webhook };
      expect(got.map((g) => g.status)).toEqual([503, 503, 503, 200]);
      expect(new Set(got.map((g) => g.headers['webhook-id'])).size).toBe(1);
      const last = got[3];
      if (!last) throw new Error('no delivery');
      const { payload } = verifyWebhook(last.headers, last.body, [secret]);
      expect(payload.type).toBe('job.completed');
      expect(payload.data.id).toBe(id);
      if (payload.type !== 'job.completed' || job.status !== 'completed') throw new Error('not a completion');
      expect(payload.data.result.prediction).toBe(job.result.prediction);
      expect(() =>
        verifyWebhook(last.headers, last.body.replace('"job.completed"', '"job.failed"'), [secret]),
      ).toThrow();
      // The CLI's wait shows the job and its delivery.
      const waited = await runCli(['wait', id, '--url', stack.gatewayUrl]);
      expect(waited.out).toMatch(/webhook: delivered, 4 attempt\(s\), last status 200/);
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  }, 120_000);

  it('delivers one verified batch.completed webhook for a bulk submission with webhook_scope batch, naming every job', async () => {
    const got: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.2', r));
    try {
      const url = `http://127.0.0.2:${(receiver.address() as AddressInfo).port}/batch`;
      const files = ['3.png', '5.png', '63.png'].map((f) => readFileSync(path.join(images, f)));
      const accepted = await client.submitMany(files, { samples: 2, webhook: { url }, webhookScope: 'batch' });
      // One job is canceled while queued or ends otherwise: the batch webhook waits for every job, however it ends.
      await client.cancel(accepted.jobs[2]!.id).catch(() => undefined);
      const batch = await client.waitBatch(accepted.id, { timeoutMs: 30_000 });
      await waitUntil(async () => got.length > 0, 30_000, 'batch delivery');
      await new Promise((r) => setTimeout(r, 1000));
      expect(got).toHaveLength(1);
      const { payload } = verifyWebhook(got[0]!.headers, got[0]!.body, [secret]);
      if (payload.type !== 'batch.completed') throw new Error(`got ${payload.type}`);
      expect(payload.data.id).toBe(accepted.id);
      expect(payload.data.jobs).toEqual(batch.jobs.map((j) => ({ id: j.id, status: j.status })));
      expect(Object.values(payload.data.counts).reduce((a, b) => a + b, 0)).toBe(3);
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  }, 120_000);

  it('receives the webhook with `pnpm cli listen`, which verifies its signature and prints it as JSON', async () => {
    const listen = spawn(
      TSX,
      [
        '--conditions=development',
        path.join(ROOT, 'packages/client/src/cli.ts'),
        'listen',
        '--host',
        '127.0.0.2',
        '--port',
        '0',
        '--secret',
        secret,
        '--json',
        '--count',
        '1',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    listen.stdout.on('data', (b: Buffer) => (out += b.toString()));
    listen.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((resolve) => listen.once('exit', (code) => resolve(code)));
    try {
      await waitUntil(async () => /listening on \S+/.test(err), 20_000, 'pnpm cli listen');
      const hook = /listening on (\S+)/.exec(err)?.[1] ?? '';
      const image = await (await import('node:fs/promises')).readFile(path.join(images, '5.png'));
      const { id } = await client.submit(image, { webhook: { url: hook, events: ['completed'] } });
      expect(await exited).toBe(0);
      const delivery = JSON.parse(out.trim()) as { verified: boolean; payload: { type: string; data: JobView } };
      expect(delivery.verified).toBe(true);
      expect(delivery.payload.type).toBe('job.completed');
      expect(delivery.payload.data.id).toBe(id);
    } finally {
      if (listen.exitCode === null) listen.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses every internal or credential-carrying webhook target at submission with 422, and nothing connects to a loopback listener', async () => {
    let connections = 0;
    const listener = http.createServer((_req, res) => res.end());
    listener.on('connection', () => connections++);
    await new Promise<void>((r) => listener.listen(0, '::', r));
    const p = (listener.address() as AddressInfo).port;
    const targets = [
      `http://127.0.0.1:${p}/`,
      `http://[::1]:${p}/`,
      'http://10.0.0.1/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/',
      `http://0.0.0.0:${p}/`,
      `http://0x7f000001:${p}/`,
      `http://2130706433:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://localhost:${p}/`,
      'file:///etc/passwd',
      `gopher://127.0.0.1:${p}/_x`,
      // Credentials in the URL would be stored with the job and shown in dead letters.
      'https://user:secret@93.184.216.34/hook',
    ];
    const image = Buffer.from(await (await import('node:fs/promises')).readFile(path.join(images, '3.png')));
    try {
      for (const url of targets) {
        const err = await client.submit(image, { webhook: { url } }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MnistApiError);
        expect(err).toMatchObject({ status: 422, code: 'WEBHOOK_URL_REFUSED' });
      }
      report['ssrfAtSubmission'] = { targets: targets.length, loopbackConnections: connections };
      expect(connections).toBe(0);
      // Control: the listener does count a connection.
      await fetch(`http://127.0.0.1:${p}/`);
      expect(connections).toBe(1);
    } finally {
      listener.closeAllConnections();
      await new Promise<void>((r) => listener.close(() => r()));
    }
  }, 60_000);
  it('gets the same job back for a retried submission or prediction with the same idempotency key', async () => {
    const image = readFileSync(path.join(images, '3.png'));
    const key = `sdk-${randomBytes(8).toString('hex')}`;
    const first = await client.submit(image, { idempotencyKey: key });
    const again = await client.submit(image, { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    await expect(client.submit(image, { idempotencyKey: key, samples: 7 })).rejects.toMatchObject({
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    const predicted = await client.predict(image, { idempotencyKey: `${key}-p` });
    const replayed = await client.predict(image, { idempotencyKey: `${key}-p` });
    expect(replayed.id).toBe(predicted.id);
    expect(replayed.result).toEqual(predicted.result);
    const cli = await runCli([
      'submit',
      path.join(images, '3.png'),
      '--url',
      stack.gatewayUrl,
      '--idempotency-key',
      key,
    ]);
    expect(cli.out.trim()).toBe(first.id);
  }, 60_000);
  it('honours Prefer on predict through the SDK: respond-async is a 202 at once, wait=N a 200 once done', async () => {
    const image = readFileSync(path.join(images, '5.png'));
    const later = await client.predictPreferring(image, { respondAsync: true });
    expect(later.status).toBe(202);
    expect(later.applied).toBe('respond-async');
    expect(later.job.status).toBe('queued');
    expect((await client.wait(later.job.id, { timeoutMs: 30_000 })).status).toBe('completed');

    const waited = await client.predictPreferring(image, { wait: 20 });
    expect(waited.status).toBe(200);
    expect(waited.applied).toBe('wait=20');
    expect(waited.job.status).toBe('completed');

    // wait=0: whatever the job's state, the answer is the job (a 202 while it runs), never a 504.
    const now = await client.predictPreferring(image, { wait: 0 });
    expect(now.applied).toBe('wait=0');
    expect([200, 202]).toContain(now.status);
    expect((await client.wait(now.job.id, { timeoutMs: 30_000 })).status).toBe('completed');
  }, 60_000);

  it('cancels through the SDK and the CLI: the job ends canceled, or the answer says it ran first', async () => {
    const image = readFileSync(path.join(images, '5.png'));
    const { id } = await client.submit(image);
    const res = await client.cancel(id).catch((e: unknown) => e);
    if (res instanceof MnistApiError) expect(res.code).toBe('JOB_FINISHED');
    else if ((res as { canceled: boolean }).canceled) expect((await client.get(id)).status).toBe('canceled');
    else expect((await client.get(id)).status).toBe('completed');
    // Cancel is idempotent: the CLI finds the job as the SDK left it (exit 0 only when it ends canceled).
    const cli = await runCli(['cancel', id, '--url', stack.gatewayUrl, '--json']);
    const canceled = (await client.get(id)).status === 'canceled';
    expect(cli.code === 0).toBe(canceled);
    if (canceled) expect(JSON.parse(cli.out)).toMatchObject({ canceled: true, job: { id, status: 'canceled' } });
  }, 60_000);
  it('submits several images in one request through the SDK and the CLI, and follows the batch to the end', async () => {
    const files = ['3.png', '5.png', '63.png'].map((f) => path.join(images, f));
    const idempotencyKey = `e2e-bulk-${Date.now()}`;
    const accepted = await client.submitMany(
      files.map((f) => readFileSync(f)),
      { samples: 4, idempotencyKey },
    );
    expect(accepted.jobs).toHaveLength(3);
    // Resent with its key (a client that timed out and retries), the submission gets the same batch back.
    const resent = await client.submitMany(
      files.map((f) => readFileSync(f)),
      { samples: 4, idempotencyKey },
    );
    expect(resent.id).toBe(accepted.id);
    const seen: number[] = [];
    const batch = await client.waitBatch(accepted.id, { timeoutMs: 30_000, onProgress: (n) => seen.push(n) });
    expect(batch.done).toBe(true);
    expect(batch.jobs.map((j) => [j.id, j.status])).toEqual(accepted.jobs.map((j) => [j.id, 'completed']));
    expect(seen[seen.length - 1]).toBe(3);

    const cli = await runCli(['submit', ...files, '--url', stack.gatewayUrl, '--wait', '--json']);
    expect(cli.code).toBe(0);
    expect(cli.err).toMatch(/progress: 3\/3/);
    const view = JSON.parse(cli.out) as { done: boolean; jobs: Array<{ status: string }> };
    expect(view.done).toBe(true);
    expect(view.jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);
  }, 60_000);
});
