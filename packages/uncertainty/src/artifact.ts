/**
 * The calibration artifact: versioned JSON keyed by the model digest. Large float arrays are stored as base64
 * little-endian float32 so the file stays small and loads exactly.
 */
import type { ConformalCalibration } from './conformal';
import type { FactsModel } from './facts-model';
import type { GaussianModel } from './gaussian';
import { ANSWER_FEATURES, DIGIT_FEATURES } from './signals';
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
  data: {
    train: number;
    calibration: number;
    uploads: number;
    synthetic: Record<string, number>;
    /** Shifted-digits fitting split (absent in artifacts fitted without it). */
    shifted?: { digits: number; nonDigits: number };
  };
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
    /**
     * Digit vs non-digit from the input's leading principal components (logistic), fitted on the same sets as
     * the gate; its logit is a gate feature. Absent: the feature is 0.
     */
    shape?: LogisticModel;
    /**
     * Monotone maps of P(right | digit) x P(digit) to P(correct) on digits, one per acquisition route of the
     * upload (`factsRoute`: 28x28 pixels, or photographed/scanned uploads). Absent: the product is used.
     */
    final?: { pixels: IsotonicModel; uploads: IsotonicModel };
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

/**
 * Why `artifact` cannot serve `model`, or undefined when it can: written by another build (format or version),
 * fitted for another model digest, or with other reliability features than this code computes. `where` names the
 * artifact in the message (its file, when it has one).
 */
export function artifactMismatch(
  artifact: Partial<CalibrationArtifact>,
  model: { digest: string; name: string },
  where = 'calibration',
): string | undefined {
  if (artifact.format !== ARTIFACT_FORMAT || artifact.version !== ARTIFACT_VERSION) {
    return (
      `${where} has format ${String(artifact.format)} v${String(artifact.version)}, this build reads ` +
      `${ARTIFACT_FORMAT} v${ARTIFACT_VERSION}`
    );
  }
  if (artifact.model?.digest !== model.digest) {
    return (
      `${where} was fitted for model digest ${String(artifact.model?.digest)}, but model ${model.name} has ` +
      `digest ${model.digest}`
    );
  }
  const same = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
    a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
  if (
    !same(artifact.reliability?.answer.features, ANSWER_FEATURES) ||
    !same(artifact.reliability?.digit.features, DIGIT_FEATURES)
  ) {
    return `${where} for ${model.name} was fitted with other reliability features`;
  }
  return undefined;
}
