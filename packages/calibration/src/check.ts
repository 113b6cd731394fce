/** Whether a model directory can be served with the artifacts of a folder, and fitting what is missing. */
import path from 'node:path';
import { modelDigest } from '@mserve/model-runtime';
import { fitModelCalibration } from './fit-model';
import { calibrationPath, isCalibrationError, loadCalibration, type CalibrationErrorCode } from './store';

/** Outcome of {@link checkCalibration}. */
export type CalibrationStatus =
  | { ok: true; file: string; digest: string }
  | { ok: false; code: CalibrationErrorCode; message: string; file: string; digest: string };

/**
 * Checks, without loading the model, whether `calibrationDir` holds a usable artifact for the model in `modelDir`
 * (named after its folder): the same {@link loadCalibration} the worker runs at start-up, so both always agree.
 * Other failures (an unreadable model directory) are thrown.
 */
export async function checkCalibration(modelDir: string, calibrationDir: string): Promise<CalibrationStatus> {
  const digest = await modelDigest(modelDir);
  const file = calibrationPath(calibrationDir, digest);
  try {
    loadCalibration(calibrationDir, { digest, name: path.basename(modelDir) });
    return { ok: true, file, digest };
  } catch (e) {
    if (isCalibrationError(e)) return { ok: false, code: e.code, message: e.message, file, digest };
    throw e;
  }
}

/**
 * Fits and writes the artifact of the model in `modelDir` unless {@link checkCalibration} finds a usable one; says
 * which through `log`. Idempotent: a second run costs one model digest.
 */
export async function ensureCalibration(opts: {
  modelDir: string;
  calibrationDir: string;
  log?: (message: string) => void;
}): Promise<{ fitted: boolean; file: string }> {
  const log = opts.log ?? (() => undefined);
  const status = await checkCalibration(opts.modelDir, opts.calibrationDir);
  if (status.ok) {
    log(`${status.file} already present for ${status.digest}, nothing to do`);
    return { fitted: false, file: status.file };
  }
  log(`${status.message}; fitting it`);
  const { file } = await fitModelCalibration({ model: opts.modelDir, outDir: opts.calibrationDir, log });
  log(`wrote ${file} for ${status.digest}`);
  return { fitted: true, file };
}
