import path from 'node:path';
import { AppError, assetPath, repoRoot, toAppError, type Logger } from '@mserve/common';
import { SAMPLES_MAX } from '@mserve/contracts';
import { loadSavedModel, type PredictOutput } from '@mserve/model-runtime';
import { calibrationPath, loadCalibration } from '@mserve/calibration';
import { UncertaintyEngine } from '@mserve/uncertainty';
import type { ItemOutcome } from './batcher';
import type { InferenceEngine, InferenceItem, Prediction } from './inference';

/** Where the model and its calibration come from. */
export interface ModelInferenceOptions {
  modelDir: string;
  calibrationDir: string;
  logger: Logger;
  /** The model's name in the repository (default: its folder's name, which in a repository is the version). */
  name?: string;
}

/**
 * Path of the first NaN or infinite number in a result, if any. JSON would turn it into `null` and hand the client
 * a result that breaks the contract; failing that one job says what happened instead.
 */
export function firstNonFinite(v: unknown, at = 'result'): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : at;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = firstNonFinite(v[i], `${at}[${i}]`);
      if (bad) return bad;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const bad = firstNonFinite(x, `${at}.${k}`);
      if (bad) return bad;
    }
  }
  return undefined;
}

/** Rows `idx` of a batched pass, as a pass of their own (the engine assesses one parameter set per call). */
function selectRows(out: PredictOutput, idx: number[]): PredictOutput {
  const pick = (src: Float32Array, width: number) => {
    const dst = new Float32Array(idx.length * width);
    idx.forEach((row, j) => dst.set(src.subarray(row * width, row * width + width), j * width));
    return dst;
  };
  return {
    n: idx.length,
    classes: out.classes,
    featureDim: out.featureDim,
    probabilities: pick(out.probabilities, out.classes),
    logits: pick(out.logits, out.classes),
    features: pick(out.features, out.featureDim),
  };
}

/**
 * The real {@link InferenceEngine}: the SavedModel and the uncertainty engine bound to the calibration artifact fitted
 * for its digest. One batch is one model pass; the uncertainty assessment runs once per distinct (samples, alpha)
 * among the batch's jobs on the rows of that pass (it is per-input deterministic, so grouping changes no result).
 * Fails fast with `CALIBRATION_MISSING` or `CALIBRATION_MISMATCH` (naming `pnpm calibrate`) when the artifact is
 * missing or was fitted for another model version.
 */
export async function createModelInference(opts: ModelInferenceOptions): Promise<InferenceEngine> {
  const dir = opts.modelDir || assetPath('models/mnist_model');
  const model = await loadSavedModel(dir, { logger: opts.logger });
  const meta = model.metadata;
  const calibrationDir = path.resolve(repoRoot(), opts.calibrationDir);
  let unc: UncertaintyEngine;
  try {
    const artifact = loadCalibration(calibrationDir, { digest: meta.digest, name: opts.name ?? meta.name });
    unc = UncertaintyEngine.create(artifact, model);
  } catch (e) {
    model.dispose();
    throw e;
  }
  const a = unc.artifact;
  const itemSize = meta.inputShape.reduce((x, y) => x * y, 1);

  return {
    card: {
      name: opts.name ?? meta.name,
      digest: meta.digest,
      inputShape: meta.inputShape,
      classes: meta.classes,
      backend: meta.backend,
      calibration: {
        file: path.relative(repoRoot(), calibrationPath(calibrationDir, meta.digest)),
        format: a.format,
        version: a.version,
        createdAt: a.createdAt,
        preprocessingFingerprint: a.preprocessing?.fingerprint ?? null,
        dropout: { mode: a.dropout.mode, rate: a.dropout.rate },
        oodThreshold: a.ood.threshold,
        reliabilityThreshold: a.reliability.threshold,
      },
      uncertainty: { method: unc.method(2).replace('T=2', 'T=<samples>'), maxSamples: SAMPLES_MAX },
    },

    async infer(items: InferenceItem[]): Promise<Array<ItemOutcome<Prediction>>> {
      const inputs = new Float32Array(items.length * itemSize);
      items.forEach((it, i) => inputs.set(it.input, i * itemSize));
      const out = await model.predict(inputs, items.length);

      const groups = new Map<string, number[]>();
      items.forEach((it, i) => {
        const key = `${it.params.samples}|${it.params.alpha}`;
        const g = groups.get(key);
        if (g) g.push(i);
        else groups.set(key, [i]);
      });
      const outcomes: Array<ItemOutcome<Prediction>> = new Array(items.length);
      for (const idx of groups.values()) {
        const first = items[idx[0] as number] as InferenceItem;
        const whole = idx.length === items.length;
        const sub = whole ? out : selectRows(out, idx);
        const subInputs = whole ? inputs : new Float32Array(idx.length * itemSize);
        if (!whole) idx.forEach((row, j) => subInputs.set(items[row]!.input, j * itemSize));
        try {
          const facts = idx.map((row) => items[row]!.facts);
          const assessed = unc.assess(sub, subInputs, facts, first.params);
          assessed.forEach((value, j) => {
            const bad = firstNonFinite(value);
            outcomes[idx[j] as number] = bad
              ? { ok: false, error: new AppError('INFERENCE_FAILED', `the model produced a non-finite ${bad}`) }
              : { ok: true, value };
          });
        } catch (e) {
          const error = toAppError(e);
          for (const row of idx) outcomes[row] = { ok: false, error };
        }
      }
      return outcomes;
    },

    dispose: () => model.dispose(),
  };
}
