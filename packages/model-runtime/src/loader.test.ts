import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { AppError, resolveAssetsDir } from '@mserve/common';
import { loadMnistTest, toModelInput, type ImageSet } from '@mserve/datasets';
import { encodeKerasMetadata } from '../test/keras-metadata';
import { decodeSavedModel } from './proto';
import { loadSavedModel, modelDigest, type LoadedModel } from './index';

const models = path.join(resolveAssetsDir(), 'models');
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'model-runtime-test-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

/** A writable copy of a shared model directory (the assets are read-only). */
function copyModel(name: string, as = name): string {
  const dir = path.join(tmpRoot, `${as}-${Math.random().toString(36).slice(2, 8)}`);
  cpSync(path.join(models, name), dir, { recursive: true });
  chmodSync(dir, 0o755);
  chmodSync(path.join(dir, 'variables'), 0o755);
  for (const f of ['saved_model.pb', 'variables/variables.index', 'variables/variables.data-00000-of-00001']) {
    chmodSync(path.join(dir, f), 0o644);
  }
  return dir;
}

/** Rewrites length-delimited protobuf fields along `route`, calling `leaf` on the message at its end. */
function rewrite(buf: Uint8Array, route: number[], leaf: (msg: Uint8Array) => Uint8Array): Uint8Array {
  if (route.length === 0) return leaf(buf);
  const out: number[] = [];
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = buf[pos++]!;
      v += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) return v;
    }
  };
  const putVarint = (v: number): void => {
    while (v >= 0x80) {
      out.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
  };
  while (pos < buf.length) {
    const start = pos;
    const tag = varint();
    const wire = tag & 7;
    if (wire === 2) {
      const len = varint();
      const body = buf.subarray(pos, pos + len);
      pos += len;
      if (tag >>> 3 === route[0]) {
        const next = rewrite(body, route.slice(1), leaf);
        putVarint(tag);
        putVarint(next.length);
        out.push(...next);
        continue;
      }
    } else if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`wire type ${wire}`);
    out.push(...buf.subarray(start, pos));
  }
  return Uint8Array.from(out);
}

/** Drops field 3 (metadata) of every SavedUserObject: SavedModel.meta_graphs.object_graph_def.nodes.user_object. */
function stripKerasMetadata(savedModelPb: Uint8Array): Uint8Array {
  // SavedUserObject fields are all length-delimited: identifier = 1, version = 2 (kept), metadata = 3 (dropped).
  return rewrite(savedModelPb, [2, 7, 1, 4], (userObject) => {
    const kept: number[] = [];
    let pos = 0;
    while (pos < userObject.length) {
      const start = pos;
      const tag = userObject[pos++]!;
      let len = 0;
      let mul = 1;
      for (;;) {
        const b = userObject[pos++]!;
        len += (b & 0x7f) * mul;
        mul *= 128;
        if (!(b & 0x80)) break;
      }
      pos += len;
      if (tag >>> 3 !== 3) kept.push(...userObject.subarray(start, pos));
    }
    return Uint8Array.from(kept);
  });
}

/** Converts a TF 2.4 copy into the TF >= 2.5 layout: metadata moved from saved_model.pb to keras_metadata.pb. */
function toKerasMetadataLayout(dir: string, editConfig?: (config: Record<string, unknown>) => void): void {
  const pbPath = path.join(dir, 'saved_model.pb');
  const pb = readFileSync(pbPath);
  const graph = decodeSavedModel(pb).meta_graphs[0]!.object_graph_def!.nodes;
  const root = graph[0]!;
  const rootMeta = JSON.parse(root.user_object!.metadata) as Record<string, unknown>;
  if (editConfig) editConfig(rootMeta['model_config'] as Record<string, unknown>);
  const nodes = [
    { node_id: 0, node_path: 'root', identifier: root.user_object!.identifier, metadata: JSON.stringify(rootMeta) },
  ];
  for (const c of root.children) {
    const u = graph[c.node_id]!.user_object;
    if (u)
      nodes.push({
        node_id: c.node_id,
        node_path: `root.${c.local_name}`,
        identifier: u.identifier,
        metadata: u.metadata,
      });
  }
  writeFileSync(path.join(dir, 'keras_metadata.pb'), encodeKerasMetadata({ nodes }));
  writeFileSync(pbPath, stripKerasMetadata(pb));
}

async function loadError(dir: string): Promise<AppError> {
  try {
    await loadSavedModel(dir);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error(`loading ${dir} unexpectedly succeeded`);
}

let mnist: ImageSet;
let production: LoadedModel;
let dropoutModel: LoadedModel;
beforeAll(async () => {
  mnist = await loadMnistTest();
  production = await loadSavedModel(path.join(models, 'mnist_model'));
  dropoutModel = await loadSavedModel(path.join(models, 'mnist_dropout'));
});
afterAll(() => {
  production.dispose();
  dropoutModel.dispose();
});

describe('loadSavedModel on the production model', () => {
  it('loads in well under a second', async () => {
    const again = await loadSavedModel(path.join(models, 'mnist_model'));
    again.dispose();
    expect(production.metadata.loadMs).toBeLessThan(1000);
    expect(again.metadata.loadMs).toBeLessThan(500);
  });

  it('describes the network: 28x28 input, 10 classes, 784 features, no dropout, a content digest', async () => {
    const m = production.metadata;
    expect(m).toMatchObject({ name: 'mnist_model', inputShape: [28, 28], classes: 10, featureDim: 784, dropout: [] });
    expect(m.layers.map((l) => l.className)).toEqual(['InputLayer', 'Flatten', 'Dense']);
    expect(m.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(m.digest).toBe(await modelDigest(path.join(models, 'mnist_model')));
    expect(['tfjs-node', 'wasm', 'cpu']).toContain(m.backend);
  });

  it('exposes the last Dense layer: 784x10 kernel, 10 biases, softmax', () => {
    const d = production.lastDense;
    expect([d.inDim, d.outDim, d.kernel.length, d.bias.length, d.activation]).toEqual([784, 10, 7840, 10, 'softmax']);
  });

  it('returns logits and features consistent with the last Dense layer and probabilities that sum to 1', async () => {
    const n = 4;
    const out = await production.predict(toModelInput(mnist.images, [0, 1, 2, 3], [28, 28]), n);
    expect([out.probabilities.length, out.logits.length, out.features.length]).toEqual([40, 40, n * 784]);
    const { kernel, bias } = production.lastDense;
    for (let i = 0; i < n; i++) {
      const z = Array.from(
        bias,
        (b, c) => b + out.features.subarray(i * 784, (i + 1) * 784).reduce((s, x, k) => s + x * kernel[k * 10 + c]!, 0),
      );
      z.forEach((v, c) => expect(out.logits[i * 10 + c]).toBeCloseTo(v, 3));
      const sum = out.probabilities.subarray(i * 10, (i + 1) * 10).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
    }
    expect(out.features[0]).toBe(0); // input pixel/255, flattened
  });

  it('does not grow the number of live tensors across predictions', async () => {
    const x = toModelInput(
      mnist.images,
      Array.from({ length: 64 }, (_, i) => i),
      [28, 28],
    );
    await production.predict(x, 64);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) await production.predict(x, 64, { dropout: i % 2 === 0 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an input whose length does not match n examples', async () => {
    await expect(production.predict(new Float32Array(100), 1)).rejects.toThrow(/expected 1 x 784 input values/);
  });
});

describe('dropout', () => {
  const x = (): Float32Array => toModelInput(mnist.images, [0, 1], [28, 28]);

  it('reports mnist_dropout Dropout(0.25) called with training=True right before the last Dense', () => {
    expect(dropoutModel.metadata.dropout).toEqual([
      { layer: 'dropout', rate: 0.25, training: true, beforeLastDense: true },
    ]);
  });

  it('is off by default: repeated predictions are identical', async () => {
    const a = await dropoutModel.predict(x(), 2);
    const b = await dropoutModel.predict(x(), 2);
    expect(a.probabilities).toEqual(b.probabilities);
  });

  it('samples a new mask per call when asked, while features stay those computed with dropout off', async () => {
    const off = await dropoutModel.predict(x(), 2);
    const a = await dropoutModel.predict(x(), 2, { dropout: true });
    const b = await dropoutModel.predict(x(), 2, { dropout: true });
    expect(a.logits).not.toEqual(b.logits);
    expect(a.logits).not.toEqual(off.logits);
    expect(a.features).toEqual(off.features);
  });
});

describe('Keras metadata sources', () => {
  it('loads the TF >= 2.5 layout (keras_metadata.pb) with the same predictions as the TF 2.4 layout', async () => {
    const dir = copyModel('mnist_dropout');
    toKerasMetadataLayout(dir);
    const model = await loadSavedModel(dir);
    const input = toModelInput(mnist.images, [5, 6, 7], [28, 28]);
    expect((await model.predict(input, 3)).probabilities).toEqual((await dropoutModel.predict(input, 3)).probabilities);
    expect(model.metadata.dropout).toEqual(dropoutModel.metadata.dropout);
    model.dispose();
  });
});

describe('load failures are one clear MODEL_LOAD_FAILED error naming the directory', () => {
  it('a flipped byte in variables.data fails the CRC-32C check of the tensor holding it', async () => {
    const dir = copyModel('mnist_model');
    const data = path.join(dir, 'variables/variables.data-00000-of-00001');
    const bytes = readFileSync(data);
    const at = bytes.length >> 1;
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(data, bytes);
    const err = await loadError(dir);
    expect(err.code).toBe('MODEL_LOAD_FAILED');
    expect(err.message).toContain(dir);
    expect(err.message).toMatch(/tensor "[^"]+" fails its CRC-32C check in variables\.data-00000-of-00001/);
  });

  it('a truncated variables.index is rejected as not a valid index', async () => {
    const dir = copyModel('mnist_model');
    truncateSync(path.join(dir, 'variables/variables.index'), 600);
    const err = await loadError(dir);
    expect(err.code).toBe('MODEL_LOAD_FAILED');
    expect(err.message).toMatch(new RegExp(`${dir}: variables\\.index is not a valid tensor-bundle index: bad magic`));
  });

  it.each([['variables/variables.data-00000-of-00001'], ['variables/variables.index'], ['saved_model.pb']])(
    'a missing %s is named',
    async (file) => {
      const dir = copyModel('mnist_model');
      unlinkSync(path.join(dir, file));
      const err = await loadError(dir);
      expect(err.code).toBe('MODEL_LOAD_FAILED');
      expect(err.message).toContain(dir);
      expect(err.message).toContain(path.basename(file));
    },
  );

  it('a SavedModel without Keras metadata says so', async () => {
    const dir = copyModel('mnist_model');
    const pb = path.join(dir, 'saved_model.pb');
    writeFileSync(pb, stripKerasMetadata(readFileSync(pb)));
    const err = await loadError(dir);
    expect(err.code).toBe('MODEL_LOAD_FAILED');
    expect(err.message).toBe(
      `cannot load model ${dir}: saved_model.pb holds no Keras model metadata (not saved with model.save())`,
    );
  });

  it('an unsupported layer class names the layer, its class and the directory', async () => {
    const dir = copyModel('mnist_dropout');
    toKerasMetadataLayout(dir, (mc) => {
      const layers = (mc['config'] as { layers: { class_name: string }[] }).layers;
      layers[1]!.class_name = 'LocallyConnected2D';
    });
    const err = await loadError(dir);
    expect(err.message).toMatch(
      new RegExp(`^cannot load model ${dir}: layer "flatten" has unsupported class LocallyConnected2D`),
    );
  });

  it('an unsupported dtype names the layer and the directory', async () => {
    const dir = copyModel('mnist_dropout');
    toKerasMetadataLayout(dir, (mc) => {
      const layers = (mc['config'] as { layers: { config: Record<string, unknown> }[] }).layers;
      layers[3]!.config['dtype'] = 'float16';
    });
    const err = await loadError(dir);
    expect(err.message).toBe(
      `cannot load model ${dir}: layer "dense" (Dense): dtype "float16" is not supported (only float32)`,
    );
  });
});
