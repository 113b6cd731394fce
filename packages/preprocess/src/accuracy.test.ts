import { assetPath } from '@mserve/common';
import { loadMnistTest } from '@mserve/datasets';
import { loadSavedModel, type LoadedModel } from '@mserve/model-runtime';
import { preprocess } from './preprocess';
import { syntheticUpload } from './synthetic';

/** A seeded, evenly spread sample of the MNIST test set; `pnpm preprocess:eval` measures the full set. */
const SAMPLE = 500;
const SEED = 20240;

function accuracy(probabilities: Float32Array, labels: number[]): number {
  let ok = 0;
  labels.forEach((label, i) => {
    let best = 0;
    for (let c = 1; c < 10; c++) if (probabilities[i * 10 + c]! > probabilities[i * 10 + best]!) best = c;
    if (best === label) ok++;
  });
  return ok / labels.length;
}

describe('production model accuracy on realistic uploads', () => {
  let model: LoadedModel;
  const acc = { raw: 0, mnist: 0, naive: 0 };

  beforeAll(async () => {
    model = await loadSavedModel(assetPath('models/mnist_model'));
    const test = await loadMnistTest();
    const size = 784;
    const step = Math.floor(test.n / SAMPLE);
    const raw = new Float32Array(SAMPLE * size);
    const mnist = new Float32Array(SAMPLE * size);
    const naive = new Float32Array(SAMPLE * size);
    const labels: number[] = [];
    const shape = model.metadata.inputShape;
    const one = async (k: number): Promise<void> => {
      const i = k * step;
      const digit = test.images.subarray(i * size, (i + 1) * size);
      for (let p = 0; p < size; p++) raw[k * size + p] = digit[p]! / 255;
      const upload = await syntheticUpload(digit, SEED + i);
      mnist.set((await preprocess(upload.image, { inputShape: shape })).tensor, k * size);
      naive.set((await preprocess(upload.image, { inputShape: shape, mode: 'naive' })).tensor, k * size);
      labels[k] = test.labels[i]!;
    };
    // A few in flight so libvips (thread pool) overlaps with the JavaScript stages. Generous timeout: the
    // canonical-patch steps add a few ms per image, and CI machines are sometimes shared.
    for (let k = 0; k < SAMPLE; k += 4) await Promise.all([0, 1, 2, 3].map((d) => one(k + d)));
    acc.raw = accuracy((await model.predict(raw, SAMPLE)).probabilities, labels);
    acc.mnist = accuracy((await model.predict(mnist, SAMPLE)).probabilities, labels);
    acc.naive = accuracy((await model.predict(naive, SAMPLE)).probabilities, labels);
  }, 240_000);

  afterAll(() => model?.dispose());

  it('is within 2 points of the accuracy on the raw test digits with mnist preprocessing', () => {
    expect(acc.raw).toBeGreaterThan(0.85);
    expect(acc.mnist).toBeGreaterThanOrEqual(acc.raw - 0.02);
  });

  it('is at least 15 points above a naive resize of the same uploads', () => {
    expect(acc.mnist).toBeGreaterThanOrEqual(acc.naive + 0.15);
  });
});
