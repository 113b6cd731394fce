/**
 * The calibration artifact: versioned JSON keyed by the model digest. Large float arrays are stored as base64
 * little-endian float32 so the file stays small and loads exactly.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '@mserve/common';
import type { ConformalCalibration } from './conformal';
import type { FactsModel } from './facts-model';
import type { GaussianModel } from './gaussian';
import type { IsotonicModel, LogisticModel } from './stats';

/** Format name and version written in every artifact; bump the version on any incompatible change. */
export const ARTIFACT_FORMAT = 'mserve-calibration';
export const ARTIFACT_VERSION = 2;

/** How MC dropout is done for this model. */
export interface DropoutSetting {
  /** native: the model's own Dropout before the last Dense; injected: inserted there at test time. */
  mode: 'native' | 'injected';
  rate: number;
  /** How the rate was chosen, with the grid searched for injected dropout. */
  chosenBy: string;
  grid: { rate: number; nll: number; misclassificationAuroc: number }[];
}

/** Everything the engine needs, fitted for one model digest. */
export interface CalibrationArtifact {
  format: typeof ARTIFACT_FORMAT;
  version: number;
  model: { name: string; digest: string; inputShape: number[]; classes: number; featureDim: number };
  createdAt: string;
  fitSeconds: number;
  /**
   * `preprocessingFingerprint()` of the preprocessing the statistics were fitted with (absent in artifacts older
   * than the field). Another value today means preprocessing changed since: the artifact must be refitted.
   */
  preprocessing?: { fingerprint: string };
  data: { train: number; calibration: number; uploads: number; synthetic: Record<string, number> };
  dropout: DropoutSetting;
  density: GaussianModel;
  facts: FactsModel;
  ood: {
    /** Pixel distance (per pixel) that 99.5% of calibration digits stay under; the pixel part is divided by it. */
    pixelRef: number;
    /** Facts distance that 99.5% of calibration digits and uploads stay under; the facts part is divided by it. */
    factsRef: number;
    /** Inputs with score (max of the two normalised parts) above this are out of distribution. */
    threshold: number;
    /** Share of calibration digits under the threshold (the target in-distribution pass rate). */
    passRate: number;
    /** Colourfulness (Hasler–Süsstrunk M) above which an upload is flagged whatever its shape. */
    maxColourfulness: number;
  };
  /** Log-linear pooling of model logits and density posterior used for conformal sets. */
  pooling: { modelWeight: number; densityWeight: number };
  reliability: {
    /** P(answer right | digit) before calibration, fitted on calibration digits. */
    answer: LogisticModel;
    /** Isotonic map of the answer model's probability, fitted out-of-fold on calibration digits. */
    isotonic: IsotonicModel;
    /**
     * P(digit): calibration digits and digit uploads against synthetic non-digits (fitted with equal total
     * weights, then its bias shifted to the prior share of non-digits `nonDigitPrior`).
     */
    digit: LogisticModel;
    /** reliable = reliability >= threshold and not OOD. */
    threshold: number;
    thresholdRule: string;
  };
  conformal: ConformalCalibration;
}

interface EncodedArray {
  dtype: 'float32';
  length: number;
  base64: string;
}

function encode(a: Float32Array): EncodedArray {
  return {
    dtype: 'float32',
    length: a.length,
    base64: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'),
  };
}

function decode(e: EncodedArray): Float32Array {
  const buf = Buffer.from(e.base64, 'base64');
  if (e.dtype !== 'float32' || buf.length !== e.length * 4) throw new Error('malformed float32 array');
  const out = new Float32Array(e.length);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** JSON text of an artifact (float arrays base64-encoded). */
export function serializeCalibration(a: CalibrationArtifact): string {
  return JSON.stringify(a, (_k, v: unknown) => (v instanceof Float32Array ? encode(v) : v));
}

/** Parses artifact JSON, restoring float arrays. */
export function parseCalibration(text: string): CalibrationArtifact {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && (v as EncodedArray).dtype === 'float32' && 'base64' in v) {
      return decode(v as EncodedArray);
    }
    return v;
  }) as CalibrationArtifact;
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

function command(name: string): string {
  return `pnpm calibrate -- --model ${name}`;
}

/**
 * Loads the artifact fitted for `metadata.digest` from `dir`. Refuses an artifact of another digest with
 * `CALIBRATION_MISMATCH` (also when only artifacts of other versions of the model exist) and a missing one with
 * `NOT_FOUND`; both messages name the command that fits it.
 */
export function loadCalibration(dir: string, metadata: { digest: string; name: string }): CalibrationArtifact {
  const file = calibrationPath(dir, metadata.digest);
  if (!existsSync(file)) {
    const others = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .flatMap((f) => {
            try {
              const a = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Partial<CalibrationArtifact>;
              return a.model?.name === metadata.name ? [`${f} (digest ${a.model.digest})`] : [];
            } catch {
              return [];
            }
          })
      : [];
    if (others.length > 0) {
      throw new AppError(
        'CALIBRATION_MISMATCH',
        `calibration for model ${metadata.name} was fitted for another version of it: ${others.join(', ')}; ` +
          `the loaded model has digest ${metadata.digest}. Run \`${command(metadata.name)}\` to fit it.`,
      );
    }
    throw new AppError(
      'NOT_FOUND',
      `no calibration for model ${metadata.name} (digest ${metadata.digest}) at ${file}; run \`${command(metadata.name)}\``,
    );
  }
  let artifact: CalibrationArtifact;
  try {
    artifact = parseCalibration(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError(
      'CALIBRATION_MISMATCH',
      `calibration ${file} is unreadable; run \`${command(metadata.name)}\``,
      undefined,
      {
        cause: err,
      },
    );
  }
  if (artifact.format !== ARTIFACT_FORMAT || artifact.version !== ARTIFACT_VERSION) {
    throw new AppError(
      'CALIBRATION_MISMATCH',
      `calibration ${file} has format ${String(artifact.format)} v${String(artifact.version)}, this build reads ` +
        `${ARTIFACT_FORMAT} v${ARTIFACT_VERSION}; run \`${command(metadata.name)}\``,
    );
  }
  if (artifact.model?.digest !== metadata.digest) {
    throw new AppError(
      'CALIBRATION_MISMATCH',
      `calibration ${file} was fitted for model digest ${String(artifact.model?.digest)}, but model ` +
        `${metadata.name} has digest ${metadata.digest}; run \`${command(metadata.name)}\``,
    );
  }
  return artifact;
}
