/** The fitting sets: training digits, calibration digits, digit uploads and synthetic non-digits, preprocessed. */
import { prepareDigitUploads, prepareImages, prepareSynthetic } from '../prepare';
import type { DigitUploadLike, ImageSetLike, PreparedSet, PreprocessPixelsLike } from '../types';

/** How many training digits are re-encoded as uploads for the facts density, and the seed of the first. */
export const UPLOAD_COUNT = 300;
export const UPLOAD_SEED = 7_000_000;

/** `count` indices spread over 0..n-1 (the training digits are ordered by class, so every class is drawn). */
export function uploadIndices(n: number, count: number): number[] {
  const step = Math.max(1, Math.floor(n / count));
  return Array.from({ length: Math.min(count, n) }, (_, j) => (j * step + 3) % n);
}

/** A raw image set, or one already preprocessed. */
export type FitSet = ImageSetLike | PreparedSet;

function isPrepared(s: FitSet): s is PreparedSet {
  return 'planes' in s;
}

/** The prepared fitting sets; training and calibration digits carry labels. */
export interface FitData {
  train: PreparedSet & { labels: Uint8Array };
  calibration: PreparedSet & { labels: Uint8Array };
  uploads: PreparedSet;
  synthetic: PreparedSet;
}

/**
 * Preprocesses what is not prepared yet: all training digits, the even indices of raw calibration digits, 1,800
 * synthetic non-digits (seeded) and, with `digitUpload` and raw training digits, {@link UPLOAD_COUNT} of them as
 * uploads. Without uploads the facts density knows only 28x28 pixels: `log` gets a warning.
 */
export async function prepareFitData(args: {
  train: FitSet;
  calibration: FitSet;
  uploads?: PreparedSet;
  synthetic?: PreparedSet;
  digitUpload?: DigitUploadLike;
  preprocessPixels?: PreprocessPixelsLike;
  syntheticCount: number;
  seed: number;
}): Promise<FitData> {
  const need = (): PreprocessPixelsLike => {
    if (!args.preprocessPixels) throw new Error('fitCalibration: preprocessPixels is required for raw image sets');
    return args.preprocessPixels;
  };
  const train = isPrepared(args.train)
    ? args.train
    : await prepareImages(
        args.train,
        Array.from({ length: args.train.n }, (_, i) => i),
        need(),
      );
  const calibration = isPrepared(args.calibration)
    ? args.calibration
    : await prepareImages(
        args.calibration,
        Array.from({ length: Math.ceil(args.calibration.n / 2) }, (_, i) => 2 * i),
        need(),
      );
  const rawTrain = isPrepared(args.train) ? undefined : args.train;
  const synthetic = args.synthetic ?? (await prepareSynthetic(args.syntheticCount, args.seed, need(), rawTrain));
  if (!train.labels || !calibration.labels) {
    throw new Error('fitCalibration: training and calibration sets need labels');
  }
  const uploads =
    args.uploads ??
    (rawTrain && args.digitUpload
      ? await prepareDigitUploads(rawTrain, uploadIndices(rawTrain.n, UPLOAD_COUNT), UPLOAD_SEED, args.digitUpload)
      : { n: 0, planes: new Float32Array(0), facts: [] });
  return {
    train: { ...train, labels: train.labels },
    calibration: { ...calibration, labels: calibration.labels },
    uploads,
    synthetic,
  };
}
