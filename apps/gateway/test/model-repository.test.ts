/**
 * The model repository end to end, with real Redis and real processes: the three shared models served together by
 * one repository worker, each answering through `/v1`, the Open Inference Protocol v2 and TF Serving's REST API
 * with the prediction the model itself gives on the same MNIST test digits (`pnpm model:check`'s inputs: pixel/255,
 * grey replicated for the RGB model, dropout off); every OIP response validated against the official document; a
 * corrupt version ending `failed` and never taking traffic; a new version rolled out hot, a canary and a rollback;
 * shadow mode.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { assetPath } from '@mserve/common';
import { modelLabelsKey, versionStatesKey } from '@mserve/contracts';
import { loadSavedModel } from '@mserve/model-runtime';
import { argmax, loadMnistTest, toModelInput } from '@mserve/model-runtime/eval';
import {
  closeHttp,
  dropQueue,
  REDIS_URL,
  request,
  startGateway,
  startWorker,
  uniqueQueue,
  waitUntil,
  type Proc,
  type Res,
} from '@mserve/testkit';
import IORedis from 'ioredis';
import { expectOip, undrivenOip } from './oip-check';

const MODELS = ['mnist_model', 'mnist_dropout', 'mnist_cnn'] as const;
const TOKEN = 'test-admin-token';
const queue = uniqueQueue('repo');
const repo = mkdtempSync(path.join(os.tmpdir(), 'mserve-repo-'));
let gateway: { proc: Proc; base: string };
let worker: { proc: Proc; port: number };
/** Chosen MNIST test digits: 28x28 grey pixels, and each model's own prediction on them. */
const digits: Array<{ pixels: Uint8Array; png: Buffer; expected: Record<string, number> }> = [];

/** A minimal 8-bit greyscale PNG (so `/v1` and BYTES inputs get the very digit as an upload). */
function greyPng(pixels: Uint8Array, w: number, h: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = (crcTable[(c ^ x) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const raw = Buffer.alloc((w + 1) * h);
  for (let y = 0; y < h; y++) raw.set(pixels.subarray(y * w, y * w + w), y * (w + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const json = (url: string, method: string, body: unknown, headers: Record<string, string> = {}) =>
  request(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    timeoutMs: 60_000,
  });

async function repository(): Promise<
  Array<{ name: string; versions: Array<{ version: number; state: string; reason?: string }> }>
> {
  const r = await request(`${gateway.base}/v1/models`);
  return r.body.repository;
}

async function stateOf(name: string, version: number): Promise<{ state: string; reason?: string } | undefined> {
  return (await repository()).find((m) => m.name === name)?.versions.find((v) => v.version === version);
}

beforeAll(async () => {
  for (const m of MODELS) {
    mkdirSync(path.join(repo, m));
    symlinkSync(assetPath(`models/${m}`), path.join(repo, m, '1'));
  }
  // The model's own predictions on the first MNIST test digits; kept: digits every model is sure of, so the
  // preprocessed upload of /v1 and the raw tensor of the protocols must agree with it.
  const mnist = await loadMnistTest();
  const indices = Array.from({ length: 40 }, (_, i) => i);
  const byModel: Record<string, { pred: number[]; conf: number[] }> = {};
  for (const m of MODELS) {
    const model = await loadSavedModel(assetPath(`models/${m}`));
    const out = await model.predict(toModelInput(mnist.images, indices, model.metadata.inputShape), indices.length, {
      dropout: false,
    });
    const pred: number[] = [];
    const conf: number[] = [];
    for (let i = 0; i < indices.length; i++) {
      const row = out.probabilities.subarray(i * out.classes, (i + 1) * out.classes);
      pred.push(argmax(row));
      conf.push(Math.max(...row));
    }
    byModel[m] = { pred, conf };
    model.dispose();
  }
  for (const i of indices) {
    if (digits.length >= 3) break;
    if (!MODELS.every((m) => (byModel[m]?.conf[i] ?? 0) > 0.995)) continue;
    const pixels = mnist.images.slice(i * 784, (i + 1) * 784);
    digits.push({
      pixels,
      png: greyPng(pixels, 28, 28),
      expected: Object.fromEntries(MODELS.map((m) => [m, byModel[m]?.pred[i] ?? -1])),
    });
  }
  const env = {
    QUEUE_NAME: queue,
    MODEL_REPOSITORY: repo,
    MODEL_VERSION_POLICY: 'all',
    MODEL_POLL_MS: '300',
    CALIBRATE_MISSING: 'false',
  };
  worker = await startWorker(env);
  gateway = await startGateway({ ...env, MODEL_ADMIN_TOKEN: TOKEN, WAIT_RECHECK_MS: '200' });
  await waitUntil(
    async () => {
      const models = await repository();
      return MODELS.every((m) => models.find((x) => x.name === m)?.versions[0]?.state === 'ready');
    },
    240_000,
    'the three models ready',
  );
}, 300_000);

afterAll(async () => {
  await gateway?.proc.stop();
  await worker?.proc.stop();
  const redis = new IORedis(REDIS_URL);
  await redis.del(versionStatesKey(queue), modelLabelsKey(queue));
  redis.disconnect();
  for (const m of MODELS) for (const v of [1, 2, 3]) await dropQueue(`${queue}.${m}.v${v}`);
  await dropQueue(queue);
  rmSync(repo, { recursive: true, force: true });
  closeHttp();
}, 60_000);

describe('three models served together', () => {
  it('picked digits every model is sure of', () => {
    expect(digits.length).toBe(3);
  });

  it.each(MODELS)('%s answers /v1/predict with the prediction the model itself gives', async (m) => {
    for (const d of digits) {
      const r = await request(`${gateway.base}/v1/predict?model=${m}`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: d.png,
      });
      expect(r.status).toBe(200);
      expect(r.body.model).toMatchObject({ name: m, version: 1 });
      expect(r.body.result.prediction).toBe(d.expected[m]);
    }
  });

  it.each(MODELS)('%s answers OIP v2 infer with FP32 tensors (flat and nested) and BYTES images', async (m) => {
    const flat = digits.flatMap((d) => Array.from(d.pixels, (p) => p / 255));
    const nested = digits.map((d) =>
      Array.from({ length: 28 }, (_, y) => Array.from(d.pixels.subarray(y * 28, y * 28 + 28), (p) => p / 255)),
    );
    const want = digits.map((d) => d.expected[m]);
    for (const [url, data] of [
      [`/v2/models/${m}/infer`, flat],
      [`/v2/models/${m}/versions/1/infer`, nested],
    ] as const) {
      const body = {
        id: 'req-1',
        inputs: [{ name: 'input', shape: [digits.length, 28, 28], datatype: 'FP32', data }],
        parameters: { samples: 10, alpha: 0.1 },
      };
      const r = await json(`${gateway.base}${url}`, 'POST', body);
      expectOip('POST', url, r);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        model_name: m,
        model_version: '1',
        id: 'req-1',
        parameters: { samples: 10, alpha: 0.1 },
      });
      const out = (name: string) => r.body.outputs.find((o: { name: string }) => o.name === name);
      expect(out('prediction').data).toEqual(want);
      expect(out('probabilities').shape).toEqual([digits.length, 10]);
      expect(out('prediction_set').shape).toEqual([digits.length, 10]);
      for (const name of ['reliability', 'reliable', 'ood_score', 'ood'])
        expect(out(name).shape).toEqual([digits.length]);
    }
    const bytes = {
      inputs: [
        { name: 'image', shape: [digits.length], datatype: 'BYTES', data: digits.map((d) => d.png.toString('base64')) },
      ],
      outputs: [{ name: 'prediction' }, { name: 'reliability' }],
    };
    const r = await json(`${gateway.base}/v2/models/${m}/infer`, 'POST', bytes);
    expectOip('POST', `/v2/models/${m}/infer`, r);
    expect(r.body.outputs.map((o: { name: string }) => o.name)).toEqual(['prediction', 'reliability']);
    expect(r.body.outputs[0].data).toEqual(want);
  });

  it.each(MODELS)('%s answers TF Serving :predict in row and columnar format', async (m) => {
    const want = digits.map((d) => d.expected[m]);
    const instances = digits.map((d) =>
      Array.from({ length: 28 }, (_, y) => Array.from(d.pixels.subarray(y * 28, y * 28 + 28), (p) => p / 255)),
    );
    const rows = await json(`${gateway.base}/v1/models/${m}:predict`, 'POST', { instances });
    expect(rows.status).toBe(200);
    expect(rows.body.predictions.map((p: { prediction: number }) => p.prediction)).toEqual(want);
    const cols = await json(`${gateway.base}/v1/models/${m}/versions/1:predict`, 'POST', {
      inputs: { image: digits.map((d) => ({ b64: d.png.toString('base64') })) },
    });
    expect(cols.status).toBe(200);
    expect(cols.body.outputs.prediction).toEqual(want);
    const labelled = await json(`${gateway.base}/v1/models/${m}/labels/stable:predict`, 'POST', {
      instances: [{ b64: digits[0]!.png.toString('base64') }],
    });
    expect(labelled.body.predictions[0].prediction).toBe(want[0]);
  });

  it('answers TF Serving status and metadata, and its errors as {"error": "..."}', async () => {
    const st = await request(`${gateway.base}/v1/models/mnist_cnn`);
    expect(st.body).toEqual({
      model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
    });
    const one = await request(`${gateway.base}/v1/models/mnist_cnn/versions/1`);
    expect(one.body.model_version_status).toHaveLength(1);
    const meta = await request(`${gateway.base}/v1/models/mnist_cnn/metadata`);
    const sig = meta.body.metadata.signature_def.signature_def.serving_default;
    expect(sig.inputs.input.tensor_shape.dim.map((d: { size: string }) => d.size)).toEqual(['-1', '28', '28', '3']);
    const missing = await json(`${gateway.base}/v1/models/nope:predict`, 'POST', { instances: [] });
    expect(missing.status).toBe(404);
    expect(typeof missing.body.error).toBe('string');
    const bad = await json(`${gateway.base}/v1/models/mnist_model:predict`, 'POST', { instances: [[0.1, 0.2, 0.3]] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/does not fit the model input/);
  });

  it('answers every endpoint of the Open Inference Protocol document conformantly', async () => {
    const get = async (p: string) => {
      const r = await request(`${gateway.base}${p}`);
      expectOip('GET', p, r);
      return r;
    };
    expect((await get('/v2')).body.name).toBe('mserve');
    expect((await get('/v2/')).status).toBe(200);
    expect((await get('/v2/health/live')).status).toBe(200);
    expect((await get('/v2/health/ready')).status).toBe(200);
    const meta = await get('/v2/models/mnist_cnn');
    expect(meta.body.inputs[0]).toEqual({ name: 'input', datatype: 'FP32', shape: [-1, 28, 28, 3] });
    expect((await get('/v2/models/mnist_model/versions/1')).body.versions).toContain('1');
    expect((await get('/v2/models/mnist_model/ready')).status).toBe(200);
    expect((await get('/v2/models/mnist_dropout/versions/1/ready')).status).toBe(200);
    const unknown = await get('/v2/models/nope');
    expect(unknown.status).toBe(404);
    const errors: Array<[string, unknown, number]> = [
      ['/v2/models/nope/infer', { inputs: [] }, 404],
      ['/v2/models/mnist_model/infer', { inputs: [{ name: 'x', shape: [1], datatype: 'UINT8', data: [1] }] }, 400],
      [
        '/v2/models/mnist_model/infer',
        { inputs: [{ name: 'x', shape: [1, 28, 28], datatype: 'FP32', data: [1] }] },
        400,
      ],
      [
        '/v2/models/mnist_model/versions/9/infer',
        { inputs: [{ name: 'x', shape: [1], datatype: 'BYTES', data: ['aGk='] }] },
        404,
      ],
    ];
    for (const [p, body, status] of errors) {
      const r = await json(`${gateway.base}${p}`, 'POST', body);
      expectOip('POST', p, r);
      expect(r.status).toBe(status);
    }
    expect(undrivenOip()).toEqual([]);
  });
});

describe('versions', () => {
  it('ends a corrupt version failed with its reason, and never sends it traffic', async () => {
    const dir = path.join(repo, 'mnist_model', '2');
    mkdirSync(path.join(dir, 'variables'), { recursive: true });
    writeFileSync(path.join(dir, 'saved_model.pb'), Buffer.from('not a protobuf at all'));
    writeFileSync(path.join(dir, 'variables', 'variables.index'), Buffer.from('garbage'));
    await waitUntil(async () => (await stateOf('mnist_model', 2))?.state === 'failed', 60_000, 'version 2 failed');
    expect((await stateOf('mnist_model', 2))?.reason).toMatch(/cannot load model/);
    for (let i = 0; i < 5; i++) {
      const r = await request(`${gateway.base}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: digits[0]!.png,
      });
      expect(r.status).toBe(200);
      expect(r.body.model.version).toBe(1);
    }
    const pinned = await request(`${gateway.base}/v1/predict?version=2`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: digits[0]!.png,
    });
    expect(pinned.status).toBe(503);
    expect(pinned.body.error.code).toBe('MODEL_UNAVAILABLE');
    const tf = await request(`${gateway.base}/v1/models/mnist_model/versions/2`);
    expect(tf.body.model_version_status[0]).toMatchObject({ state: 'END', status: { error_code: 'UNKNOWN' } });
  }, 90_000);

  it('rolls a new version out without a restart, splits a canary and rolls back with one label change', async () => {
    // Version 3 of mnist_model: other weights (mnist_dropout's), whose calibration exists, dropped in while serving.
    symlinkSync(assetPath('models/mnist_dropout'), path.join(repo, 'mnist_model', '3'));
    await waitUntil(async () => (await stateOf('mnist_model', 3))?.state === 'ready', 120_000, 'version 3 ready');
    const versionOf = async (): Promise<number> => {
      const r: Res = await request(`${gateway.base}/v1/predict?model=mnist_model`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: digits[1]!.png,
      });
      expect(r.status).toBe(200);
      return r.body.model.version as number;
    };
    await waitUntil(async () => (await versionOf()) === 3, 10_000, 'traffic on version 3');

    const put = (labels: unknown, token = TOKEN) =>
      json(`${gateway.base}/v1/models/mnist_model/labels`, 'PUT', labels, { authorization: `Bearer ${token}` });
    expect((await put({ stable: 1 }, 'wrong')).status).toBe(401);
    expect((await put({ stable: 2 })).status).toBe(200); // a label may name a failed version; routing skips it
    expect(await versionOf()).toBe(3);
    expect((await put({ stable: 1, canary: 3, canaryShare: 0.5 })).status).toBe(200);
    const seen = await Promise.all(Array.from({ length: 40 }, () => versionOf()));
    const onCanary = seen.filter((v) => v === 3).length;
    expect(onCanary).toBeGreaterThan(5);
    expect(onCanary).toBeLessThan(35);
    expect(seen.every((v) => v === 1 || v === 3)).toBe(true);

    expect((await put({ stable: 1 })).status).toBe(200);
    const after = await Promise.all(Array.from({ length: 10 }, () => versionOf()));
    expect(after.every((v) => v === 1)).toBe(true);
    const models = await repository();
    const listed = models.find((m) => m.name === 'mnist_model')!;
    expect(listed.versions.map((v) => [v.version, v.state])).toEqual([
      [1, 'ready'],
      [2, 'failed'],
      [3, 'ready'],
    ]);
  }, 180_000);

  it('shadows requests with a version whose answers are compared, counted and never returned', async () => {
    const put = (labels: unknown) =>
      json(`${gateway.base}/v1/models/mnist_model/labels`, 'PUT', labels, { authorization: `Bearer ${TOKEN}` });
    expect((await put({ stable: 1, shadow: 3 })).status).toBe(400); // a shadow needs its share
    expect((await put({ stable: 1, shadow: 3, shadowShare: 1 })).status).toBe(200);
    const predict = (query = '') =>
      request(`${gateway.base}/v1/predict?model=mnist_model${query}`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: digits[2]!.png,
      });
    const answers = await Promise.all(Array.from({ length: 12 }, () => predict()));
    expect(answers.map((r) => [r.status, r.body.model.version])).toEqual(answers.map(() => [200, 1]));
    // A request naming its version is the client's choice, not traffic to experiment on: never shadowed.
    expect((await predict('&version=1')).body.model.version).toBe(1);
    // The inference protocols are shadowed alike: one OIP request leaving the version to routing, one pinned.
    const oip = (url: string) =>
      json(`${gateway.base}${url}`, 'POST', {
        inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data: [digits[2]!.png.toString('base64')] }],
      });
    expect((await oip('/v2/models/mnist_model/infer')).body.model_version).toBe('1');
    expect((await oip('/v2/models/mnist_model/versions/1/infer')).status).toBe(200);

    type Stats = { version: number; requests: number; disagreements: number; meanReliabilityDelta: number | null };
    const shadowOf = async (): Promise<Stats | undefined> =>
      (await request(`${gateway.base}/v1/models`)).body.repository.find(
        (m: { name: string }) => m.name === 'mnist_model',
      )?.shadow?.[0];
    await waitUntil(async () => (await shadowOf())?.requests === 13, 30_000, 'thirteen shadow answers');
    const stats = (await shadowOf())!;
    expect(stats).toMatchObject({ version: 3, requests: 13, share: 1, errors: 0 });
    // The digit every model is sure of: both versions predict it, with reliabilities a fraction apart.
    expect(stats.disagreements).toBe(0);
    expect(Math.abs(stats.meanReliabilityDelta ?? 99)).toBeLessThan(1);
    const metrics = (await request(`${gateway.base}/metrics`)).text;
    expect(metrics).toMatch(/model_shadow_requests_total\{model="mnist_model",version="3"\} 13\b/);
    expect(metrics).toMatch(/model_shadow_disagreements_total\{model="mnist_model",version="3"\} 0\b/);
    expect(metrics).toMatch(/model_shadow_reliability_delta_count\{model="mnist_model",version="3"\} 13\b/);

    expect((await put({ stable: 1 })).status).toBe(200);
    await predict();
    await new Promise((r) => setTimeout(r, 500));
    expect((await shadowOf())?.requests).toBe(13);
  }, 120_000);
});
