import type { ImageSet } from '@mserve/datasets';
import type { LoadedModel } from '@mserve/model-runtime';
import { argmax } from '@mserve/model-runtime/eval';
import { preprocess, preprocessPixels, syntheticUpload } from '@mserve/preprocess';

/** Seed of the realistic uploads: upload i of the test set is built from seed UPLOAD_SEED + i. */
export const UPLOAD_SEED = 20240;

/** Accuracy of one way of feeding the model, overall and per upload format. */
export interface Accuracy {
  n: number;
  accuracy: number;
  byFormat?: Record<string, { n: number; accuracy: number }>;
}

/** Everything measured on the realistic uploads. */
export interface UploadEval {
  sample: number;
  indices: 'evenly spaced' | 'all';
  rawFull: Accuracy;
  raw: Accuracy;
  pixels: Accuracy;
  mnist: Accuracy;
  naive: Accuracy;
  /** Hairline-stroke uploads (`thinStrokes`), mnist mode, on an evenly spaced subsample. */
  thin: Accuracy;
  /** Raw digits of the same subsample, for comparison. */
  thinRaw: Accuracy;
  blankUploads: number;
  seconds: number;
}

const PLANE = 784;
/** Size of the hairline-stroke subsample: a fifth of the main sample, at most 1000. */
const THIN_SAMPLE = 1000;
const THIN_SHARE = 0.2;

async function score(
  model: LoadedModel,
  inputs: Float32Array,
  labels: number[],
  formats?: string[],
): Promise<Accuracy> {
  const n = labels.length;
  const per = inputs.length / n;
  const hits: boolean[] = [];
  // Batches keep the wasm backend's working memory small.
  for (let start = 0; start < n; start += 1000) {
    const m = Math.min(1000, n - start);
    const out = await model.predict(inputs.subarray(start * per, (start + m) * per), m);
    for (let r = 0; r < m; r++)
      hits.push(argmax(out.probabilities.subarray(r * 10, r * 10 + 10)) === labels[start + r]);
  }
  const acc: Accuracy = { n, accuracy: hits.filter(Boolean).length / n };
  if (formats) {
    const by: Record<string, { n: number; accuracy: number }> = {};
    formats.forEach((f, i) => {
      const e = (by[f] ??= { n: 0, accuracy: 0 });
      e.n++;
      if (hits[i]) e.accuracy++;
    });
    for (const e of Object.values(by)) e.accuracy /= e.n;
    acc.byFormat = by;
  }
  return acc;
}

function raw01(set: ImageSet, indices: number[], channels: number): Float32Array {
  const out = new Float32Array(indices.length * PLANE * channels);
  indices.forEach((i, k) => {
    for (let p = 0; p < PLANE; p++) {
      const v = set.images[i * PLANE + p]! / 255;
      for (let c = 0; c < channels; c++) out[(k * PLANE + p) * channels + c] = v;
    }
  });
  return out;
}

/**
 * Builds a realistic upload (seeded) from each sampled test digit and scores the model on: the raw digits
 * (pixel/255, also on the whole set), the raw digits through `preprocessPixels`, the uploads through `mnist`
 * mode and the same uploads through `naive` mode; plus hairline-stroke uploads of a subsample through `mnist` mode.
 */
export async function evaluateUploads(
  model: LoadedModel,
  test: ImageSet,
  sample: number,
  progress: (done: number) => void,
): Promise<UploadEval> {
  const started = performance.now();
  const inputShape = model.metadata.inputShape;
  const channels = inputShape.length === 3 ? inputShape[2]! : 1;
  const size = PLANE * channels;
  const n = Math.min(sample, test.n);
  const step = test.n / n;
  const indices = Array.from({ length: n }, (_, k) => Math.floor(k * step));
  const labels = indices.map((i) => test.labels[i]!);
  const all = Array.from({ length: test.n }, (_, i) => i);
  const rawFull = await score(
    model,
    raw01(test, all, channels),
    all.map((i) => test.labels[i]!),
  );

  const pixels = new Float32Array(n * size);
  const mnist = new Float32Array(n * size);
  const naive = new Float32Array(n * size);
  const formats: string[] = new Array<string>(n);
  let blankUploads = 0;
  const one = async (k: number): Promise<void> => {
    const i = indices[k]!;
    const digit = test.images.subarray(i * PLANE, (i + 1) * PLANE);
    const px = await preprocessPixels({ data: digit, width: 28, height: 28, channels: 1 }, { inputShape });
    pixels.set(px.tensor, k * size);
    const upload = await syntheticUpload(digit, UPLOAD_SEED + i);
    formats[k] = upload.format;
    const m = await preprocess(upload.image, { inputShape });
    if (m.facts.inkFraction === 0) blankUploads++;
    mnist.set(m.tensor, k * size);
    naive.set((await preprocess(upload.image, { inputShape, mode: 'naive' })).tensor, k * size);
  };
  for (let k = 0; k < n; k += 4) {
    await Promise.all([k, k + 1, k + 2, k + 3].filter((j) => j < n).map(one));
    if (k > 0 && k % 1000 === 0) progress(k);
  }
  const thinN = Math.min(THIN_SAMPLE, Math.ceil(n * THIN_SHARE));
  const thinIndices = Array.from({ length: thinN }, (_, k) => Math.floor((k * test.n) / thinN));
  const thin = new Float32Array(thinN * size);
  const thinOne = async (k: number): Promise<void> => {
    const i = thinIndices[k]!;
    const digit = test.images.subarray(i * PLANE, (i + 1) * PLANE);
    const upload = await syntheticUpload(digit, UPLOAD_SEED + i, undefined, { thinStrokes: true });
    thin.set((await preprocess(upload.image, { inputShape })).tensor, k * size);
  };
  for (let k = 0; k < thinN; k += 4) await Promise.all([k, k + 1, k + 2, k + 3].filter((j) => j < thinN).map(thinOne));
  const thinLabels = thinIndices.map((i) => test.labels[i]!);

  return {
    sample: n,
    indices: n === test.n ? 'all' : 'evenly spaced',
    rawFull,
    raw: await score(model, raw01(test, indices, channels), labels),
    pixels: await score(model, pixels, labels),
    mnist: await score(model, mnist, labels, formats),
    naive: await score(model, naive, labels, formats),
    thin: await score(model, thin, thinLabels),
    thinRaw: await score(model, raw01(test, thinIndices, channels), thinLabels),
    blankUploads,
    seconds: (performance.now() - started) / 1000,
  };
}
