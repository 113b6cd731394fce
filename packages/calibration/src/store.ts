/**
 * Where a model's calibration artifact lives and whether it may be used: `<dir>/<digest>.json`, checked for
 * format, model digest, reliability features and (when asked) preprocessing fingerprint. Every refusal is an
 * `AppError` whose code says what to do: `CALIBRATION_MISSING` (fit one) or `CALIBRATION_MISMATCH` (refit).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '@mserve/common';
import {
  artifactMismatch,
  parseCalibration,
  serializeCalibration,
  type CalibrationArtifact,
} from '@mserve/uncertainty';

/** The model an artifact is for: its content digest, and its name for messages and the calibrate command. */
export interface CalibratedModel {
  digest: string;
  name: string;
}

/** The two ways a model can lack a usable calibration. */
export type CalibrationErrorCode = 'CALIBRATION_MISSING' | 'CALIBRATION_MISMATCH';

/** True when `e` says the model has no usable calibration artifact (missing, or fitted for something else). */
export function isCalibrationError(e: unknown): e is AppError & { code: CalibrationErrorCode } {
  return e instanceof AppError && (e.code === 'CALIBRATION_MISSING' || e.code === 'CALIBRATION_MISMATCH');
}

/** The command that fits the artifact of `model` (named in every refusal). */
export function calibrateCommand(model: string): string {
  return `pnpm calibrate -- --model ${model}`;
}

/** File of the artifact for a model digest inside `dir` (`sha256:abc` -> `sha256-abc.json`). */
export function calibrationPath(dir: string, digest: string): string {
  return path.join(dir, `${digest.replace(/[^A-Za-z0-9_-]/g, '-')}.json`);
}

/** Writes the artifact atomically (temp file + rename) and returns its path. */
export function saveCalibration(dir: string, artifact: CalibrationArtifact): string {
  mkdirSync(dir, { recursive: true });
  const file = calibrationPath(dir, artifact.model.digest);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, serializeCalibration(artifact));
  renameSync(tmp, file);
  return file;
}

/** Artifacts in `dir` fitted for other versions (digests) of the model called `name`, as `file (digest …)`. */
function otherVersions(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      try {
        const a = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Partial<CalibrationArtifact>;
        return a.model?.name === name ? [`${f} (digest ${a.model.digest})`] : [];
      } catch {
        return [];
      }
    });
}

/** Options of {@link loadCalibration}. */
export interface LoadCalibrationOptions {
  /**
   * `preprocessingFingerprint()` of the preprocessing in use: when given, an artifact fitted with other
   * preprocessing (or recording none) is refused too.
   */
  preprocessingFingerprint?: string;
}

/**
 * Loads the artifact fitted for `model.digest` from `dir`. Throws `CALIBRATION_MISSING` when there is none, and
 * `CALIBRATION_MISMATCH` when only artifacts of other versions of the model exist, or the file is unreadable,
 * of another format version, for another digest, for other reliability features, or (with
 * `preprocessingFingerprint`) for other preprocessing. Every message names the command that fits it.
 */
export function loadCalibration(
  dir: string,
  model: CalibratedModel,
  opts: LoadCalibrationOptions = {},
): CalibrationArtifact {
  const file = calibrationPath(dir, model.digest);
  const fix = `run \`${calibrateCommand(model.name)}\``;
  if (!existsSync(file)) {
    const others = otherVersions(dir, model.name);
    if (others.length > 0) {
      throw new AppError(
        'CALIBRATION_MISMATCH',
        `calibration for model ${model.name} was fitted for another version of it: ${others.join(', ')}; ` +
          `the loaded model has digest ${model.digest}. Run \`${calibrateCommand(model.name)}\` to fit it.`,
      );
    }
    throw new AppError(
      'CALIBRATION_MISSING',
      `no calibration for model ${model.name} (digest ${model.digest}) at ${file}; ${fix}`,
    );
  }
  let artifact: CalibrationArtifact;
  try {
    artifact = parseCalibration(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError('CALIBRATION_MISMATCH', `calibration ${file} is unreadable; ${fix}`, undefined, { cause: err });
  }
  const mismatch = artifactMismatch(artifact, model, `calibration ${file}`);
  if (mismatch) throw new AppError('CALIBRATION_MISMATCH', `${mismatch}; ${fix}`);
  const wanted = opts.preprocessingFingerprint;
  if (wanted !== undefined && artifact.preprocessing?.fingerprint !== wanted) {
    throw new AppError(
      'CALIBRATION_MISMATCH',
      `calibration ${file} was fitted with other preprocessing (fingerprint ` +
        `${artifact.preprocessing?.fingerprint ?? 'none'}, this code ${wanted}); ${fix}`,
    );
  }
  return artifact;
}
