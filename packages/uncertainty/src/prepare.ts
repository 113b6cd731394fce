/** Turning raw images into preprocessed grey planes, model inputs and batched predictions. */
import { syntheticNonDigits } from './synthetic';
import type {
  DigitUploadLike,
  ImageSetLike,
  InputFactsLike,
  PredictorLike,
  PredictOutputLike,
  PreparedSet,
  PreprocessPixelsLike,
  RawPixelsLike,
} from './types';

/** Pixels of one 28x28 grey plane. */
export const PLANE = 784;
const GREY: number[] = [28, 28];

/** Preprocesses many pixel buffers with bounded concurrency (sharp works on its own thread pool). */
async function preprocessMany(
  items: RawPixelsLike[],
  preprocess: PreprocessPixelsLike,
  concurrency = 8,
): Promise<({ tensor: Float32Array; facts: InputFactsLike } | undefined)[]> {
  const out = new Array<{ tensor: Float32Array; facts: InputFactsLike } | undefined>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = await preprocess(items[i] as RawPixelsLike, { inputShape: GREY });
      } catch {
        out[i] = undefined; // e.g. IMAGE_EMPTY: such an upload never reaches the model
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/** Preprocesses the images at `indices` of an MNIST-layout set exactly as uploads are. */
export async function prepareImages(
  set: ImageSetLike,
  indices: number[],
  preprocess: PreprocessPixelsLike,
): Promise<PreparedSet> {
  const px = set.rows * set.cols;
  const items = indices.map((i) => ({
    data: set.images.subarray(i * px, i * px + px),
    width: set.cols,
    height: set.rows,
    channels: 1 as const,
  }));
  const res = await preprocessMany(items, preprocess);
  const planes = new Float32Array(indices.length * PLANE);
  const facts: InputFactsLike[] = [];
  res.forEach((r, j) => {
    if (r) planes.set(r.tensor.subarray(0, PLANE), j * PLANE);
    facts.push(r?.facts ?? {});
  });
  return { n: indices.length, planes, facts, labels: Uint8Array.from(indices, (i) => set.labels[i] as number) };
}

/** Preprocesses arbitrary pixel buffers, dropping those preprocessing rejects; returns kept indices too. */
export async function preparePixels(
  items: RawPixelsLike[],
  preprocess: PreprocessPixelsLike,
): Promise<{ set: PreparedSet; kept: number[] }> {
  const res = await preprocessMany(items, preprocess);
  const kept = res.flatMap((r, i) => (r ? [i] : []));
  const planes = new Float32Array(kept.length * PLANE);
  const facts: InputFactsLike[] = [];
  kept.forEach((i, j) => {
    const r = res[i] as { tensor: Float32Array; facts: InputFactsLike };
    planes.set(r.tensor.subarray(0, PLANE), j * PLANE);
    facts.push(r.facts);
  });
  return { set: { n: kept.length, planes, facts }, kept };
}

/** `count` synthetic non-digits, preprocessed (those preprocessing rejects are dropped). */
export async function prepareSynthetic(
  count: number,
  seed: number,
  preprocess: PreprocessPixelsLike,
  digits?: ImageSetLike,
): Promise<PreparedSet> {
  const gen = syntheticNonDigits(count, seed, digits);
  const { set, kept } = await preparePixels(
    gen.map((g) => g.pixels),
    preprocess,
  );
  return { ...set, kinds: kept.map((i) => (gen[i] as { kind: string }).kind) };
}

/** Model inputs from grey planes: copies for 1 channel, replicates the grey level for 3 channels. */
export function expandPlanes(planes: Float32Array, n: number, inputShape: number[]): Float32Array {
  const channels = inputShape.length >= 3 ? (inputShape[inputShape.length - 1] as number) : 1;
  if (channels === 1) return planes.slice(0, n * PLANE);
  const out = new Float32Array(n * PLANE * channels);
  for (let i = 0; i < n * PLANE; i++) out.fill(planes[i] as number, i * channels, i * channels + channels);
  return out;
}

/** Runs the model over many inputs in batches and concatenates the outputs. */
export async function predictAll(
  model: PredictorLike,
  inputs: Float32Array,
  n: number,
  batch = 512,
  dropout = false,
): Promise<PredictOutputLike> {
  const size = inputs.length / Math.max(1, n);
  const k = model.metadata.classes;
  const fd = model.metadata.featureDim;
  const probabilities = new Float32Array(n * k);
  const logits = new Float32Array(n * k);
  const features = new Float32Array(n * fd);
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const o = await model.predict(inputs.subarray(s * size, (s + m) * size), m, { dropout });
    probabilities.set(o.probabilities, s * k);
    logits.set(o.logits, s * k);
    features.set(o.features, s * fd);
  }
  return { n, classes: k, featureDim: fd, probabilities, logits, features };
}

/** Digits of `set` at `indices` as realistic uploads through `makeUpload` (seed = seedBase + index). */
export async function prepareDigitUploads(
  set: ImageSetLike,
  indices: number[],
  seedBase: number,
  makeUpload: DigitUploadLike,
  concurrency = 4,
): Promise<PreparedSet> {
  const px = set.rows * set.cols;
  const planes = new Float32Array(indices.length * PLANE);
  const facts: InputFactsLike[] = new Array<InputFactsLike>(indices.length);
  let next = 0;
  const work = async (): Promise<void> => {
    while (next < indices.length) {
      const j = next++;
      const i = indices[j] as number;
      const r = await makeUpload(set.images.subarray(i * px, i * px + px), seedBase + i);
      planes.set(r.tensor.subarray(0, PLANE), j * PLANE);
      facts[j] = r.facts;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, work));
  return { n: indices.length, planes, facts, labels: Uint8Array.from(indices, (i) => set.labels[i] as number) };
}
