/**
 * Independent float64 reference implementations (plain JS loops on the weights read from the checkpoint bundle,
 * no tfjs) of the shared networks, compared with the tfjs runtime.
 */
import path from 'node:path';
import { resolveAssetsDir } from '@mserve/common';
import { loadMnistTest, toModelInput, type ImageSet } from '@mserve/datasets';
import { readBundle, toFloat32, type BundleTensor } from './bundle';
import { argmax } from './evaluate';
import { loadSavedModel } from './loader';

const models = path.join(resolveAssetsDir(), 'models');

async function weights(name: string): Promise<(layer: number, w: 'kernel' | 'bias') => Float64Array> {
  const bundle = await readBundle(path.join(models, name, 'variables', 'variables'));
  return (layer, w) => {
    const t = bundle.get(`layer_with_weights-${layer}/${w}/.ATTRIBUTES/VARIABLE_VALUE`) as BundleTensor;
    return Float64Array.from(toFloat32(t));
  };
}

function dense(x: Float64Array, kernel: Float64Array, bias: Float64Array, relu: boolean): Float64Array {
  const out = Float64Array.from(bias);
  const units = bias.length;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    for (let u = 0; u < units; u++) out[u]! += xi * kernel[i * units + u]!;
  }
  if (relu) for (let u = 0; u < units; u++) out[u] = Math.max(0, out[u]!);
  return out;
}

function softmax(z: Float64Array): Float64Array {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Conv2D 3x3 valid stride 1 + relu on [28,28,3] → [26,26,32], then 2x2 max pool → [13,13,32] (HWC order). */
function convPool(img: Float64Array, k: Float64Array, b: Float64Array): Float64Array {
  const [W, C, F] = [28, 3, 32];
  const conv = new Float64Array(26 * 26 * F);
  for (let y = 0; y < 26; y++)
    for (let x = 0; x < 26; x++)
      for (let f = 0; f < F; f++) {
        let s = b[f]!;
        for (let dy = 0; dy < 3; dy++)
          for (let dx = 0; dx < 3; dx++)
            for (let c = 0; c < C; c++)
              s += img[((y + dy) * W + (x + dx)) * C + c]! * k[((dy * 3 + dx) * C + c) * F + f]!;
        conv[(y * 26 + x) * F + f] = Math.max(0, s);
      }
  const pooled = new Float64Array(13 * 13 * F);
  for (let y = 0; y < 13; y++)
    for (let x = 0; x < 13; x++)
      for (let f = 0; f < F; f++) {
        let m = -Infinity;
        for (let dy = 0; dy < 2; dy++)
          for (let dx = 0; dx < 2; dx++) m = Math.max(m, conv[((2 * y + dy) * 26 + (2 * x + dx)) * F + f]!);
        pooled[(y * 13 + x) * F + f] = m;
      }
  return pooled;
}

let mnist: ImageSet;
beforeAll(async () => {
  mnist = await loadMnistTest();
});

describe('float64 reference', () => {
  it('mnist_model: tfjs probabilities agree with a float64 matmul+softmax to 1e-5, both at accuracy 0.9260', async () => {
    const w = await weights('mnist_model');
    const [kernel, bias] = [w(0, 'kernel'), w(0, 'bias')];
    const model = await loadSavedModel(path.join(models, 'mnist_model'));
    const all = Array.from({ length: mnist.n }, (_, i) => i);
    const input = toModelInput(mnist.images, all, [28, 28]);
    const out = await model.predict(input, mnist.n);
    let maxDiff = 0;
    let refCorrect = 0;
    for (let i = 0; i < mnist.n; i++) {
      const p = softmax(dense(Float64Array.from(input.subarray(i * 784, (i + 1) * 784)), kernel, bias, false));
      if (argmax(p) === mnist.labels[i]) refCorrect++;
      for (let c = 0; c < 10; c++) maxDiff = Math.max(maxDiff, Math.abs(p[c]! - out.probabilities[i * 10 + c]!));
    }
    model.dispose();
    expect(maxDiff).toBeLessThan(1e-5);
    expect(refCorrect / mnist.n).toBe(0.926);
  });

  it('mnist_cnn: tfjs agrees with a float64 conv/pool/dense reference on 120 test images (weight layouts)', async () => {
    const w = await weights('mnist_cnn');
    const model = await loadSavedModel(path.join(models, 'mnist_cnn'));
    const count = 120;
    const input = toModelInput(
      mnist.images,
      Array.from({ length: count }, (_, i) => i),
      [28, 28, 3],
    );
    const out = await model.predict(input, count);
    let maxDiff = 0;
    let maxFeatureDiff = 0;
    for (let i = 0; i < count; i++) {
      const img = Float64Array.from(input.subarray(i * 2352, (i + 1) * 2352));
      const hidden = dense(convPool(img, w(0, 'kernel'), w(0, 'bias')), w(1, 'kernel'), w(1, 'bias'), true);
      const p = softmax(dense(hidden, w(2, 'kernel'), w(2, 'bias'), false));
      for (let c = 0; c < 10; c++) maxDiff = Math.max(maxDiff, Math.abs(p[c]! - out.probabilities[i * 10 + c]!));
      for (let f = 0; f < 64; f++)
        maxFeatureDiff = Math.max(maxFeatureDiff, Math.abs(hidden[f]! - out.features[i * 64 + f]!));
    }
    model.dispose();
    expect(maxDiff).toBeLessThan(1e-4);
    expect(maxFeatureDiff).toBeLessThan(1e-3);
  });
});
