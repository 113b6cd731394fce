/**
 * Deterministic per-input signals shared by calibration and serving: everything the reliability model, the OOD
 * gate and the conformal sets look at. None depends on the number of MC samples, so the reliability of an answer
 * does not change with the `samples` a client asks for.
 */
import type { DenseWeights } from './mc-dropout';
import type { DensityScores, GaussianScorer } from './gaussian';
import { densityInput } from './gaussian';
import { factsScore, type FactsModel } from './facts-model';
import { logisticLogit, type LogisticModel } from './stats';
import type { InputFactsLike, PredictOutputLike } from './types';

/** Inputs of the answer model, P(answer right | input is a digit), in order. */
export const ANSWER_FEATURES = [
  'logMaxSoftmax',
  'logitMargin',
  'dropoutSnr',
  'qdaLogPostPred',
  'qdaAgree',
  'ldaLogPostPred',
  'pooledLogPostPred',
  'mahalanobisGap',
  'logPixelScore',
  'logResidual',
  'logFactsScore',
  'outputInk',
  'shapeLogit',
] as const;

/** Inputs of the digit gate, P(input is a digit), in order. */
export const DIGIT_FEATURES = [
  'logPixelScore',
  'logFactsScore',
  'logResidual',
  'outputInk',
  'logMaxSoftmax',
  'logitMargin',
  'qdaLogPostPred',
  'ldaLogPostPred',
  'mahalanobisGap',
  'shapeLogit',
  'oodFlag',
] as const;

/** Signals of one input. */
export interface Signals {
  prediction: number;
  density: DensityScores;
  /** max(pixel part, facts part), each divided by its 99.5% calibration quantile: about 1 at the digit edge. */
  oodScore: number;
  /** Mean squared whitened deviation per pixel from the nearest digit class (about 1 for digits). */
  pixelScore: number;
  /** Facts distance per fact to the nearest acquisition route; undefined without facts. */
  factsScore: number | undefined;
  /** Answer-model inputs in {@link ANSWER_FEATURES} order. */
  answerFeatures: number[];
  /** Digit-gate inputs in {@link DIGIT_FEATURES} order, without the final OOD flag (it needs the threshold). */
  digitFeatures: number[];
  /** Pooled class probabilities for the conformal sets. */
  pooled: Float64Array;
}

const LOG_FLOOR = -50;

function logSoftmaxAt(z: ArrayLike<number>, k: number, scale: number, at: number): number {
  let m = -Infinity;
  for (let j = 0; j < k; j++) m = Math.max(m, scale * (z[j] as number));
  let s = 0;
  for (let j = 0; j < k; j++) s += Math.exp(scale * (z[j] as number) - m);
  return scale * (z[at] as number) - m - Math.log(s);
}

/** Pooled probabilities softmax(a * logits + b * densityLogPosterior). */
export function pooledProbabilities(
  logits: ArrayLike<number>,
  off: number,
  qda: Float64Array,
  k: number,
  a: number,
  b: number,
  out = new Float64Array(k),
): Float64Array {
  let m = -Infinity;
  for (let j = 0; j < k; j++) {
    const v = a * (logits[off + j] as number) + b * Math.max(qda[j] as number, LOG_FLOOR * 10);
    out[j] = v;
    m = Math.max(m, v);
  }
  let s = 0;
  for (let j = 0; j < k; j++) {
    const e = Math.exp((out[j] as number) - m);
    out[j] = e;
    s += e;
  }
  for (let j = 0; j < k; j++) out[j] = (out[j] as number) / s;
  return out;
}

/**
 * What one input measures before the pooling weights and the OOD references are known: the density pass and the
 * model-output statistics. Fitting chooses pooling and references from these, then derives the {@link Signals}.
 */
export interface Measurement {
  prediction: number;
  density: DensityScores;
  /** Mean squared whitened deviation per pixel from the nearest digit class (about 1 for digits). */
  pixelScore: number;
  /** Facts distance per fact to the nearest acquisition route; undefined without facts. */
  factsScore: number | undefined;
  /** The answer-model inputs that need neither pooling nor OOD references, and the output ink share. */
  parts: {
    logMaxSoftmax: number;
    logitMargin: number;
    dropoutSnr: number;
    qdaLogPostPred: number;
    qdaAgree: number;
    ldaLogPostPred: number;
    mahalanobisGap: number;
    logResidual: number;
    outputInk: number;
  };
}

/** How a batch is measured: the model, the density and the facts model (everything fitted before pooling). */
export interface MeasureContext {
  inputShape: number[];
  dense: DenseWeights;
  scorer: GaussianScorer;
  factsModel: FactsModel;
}

/** Measures row `i` of a batch (`plane` is a scratch buffer of the density's dimension). */
export function measureInput(
  ctx: MeasureContext,
  out: { logits: Float32Array; probabilities: Float32Array; features: Float32Array; featureDim: number },
  inputs: Float32Array,
  i: number,
  facts: InputFactsLike | undefined,
  plane: Float32Array,
): Measurement {
  const { logits, probabilities, features, featureDim } = out;
  const { dense, scorer } = ctx;
  const k = dense.outDim;
  const lo = i * k;
  let top = 0;
  let second = -1;
  for (let j = 1; j < k; j++) {
    if ((logits[lo + j] as number) > (logits[lo + top] as number)) top = j;
  }
  for (let j = 0; j < k; j++) {
    if (j !== top && (second < 0 || (logits[lo + j] as number) > (logits[lo + second] as number))) second = j;
  }
  const margin = (logits[lo + top] as number) - (logits[lo + second] as number);
  // Spread of the top-2 logit margin under dropout (up to the constant p/(1-p), removed by standardisation).
  let v = 0;
  const fo = i * featureDim;
  for (let d = 0; d < featureDim; d++) {
    const x = features[fo + d] as number;
    if (x === 0) continue;
    const dw = (dense.kernel[d * k + top] as number) - (dense.kernel[d * k + second] as number);
    v += x * x * dw * dw;
  }
  const snr = margin / Math.sqrt(v + 1e-9);

  densityInput(inputs, i, ctx.inputShape, plane);
  const density = scorer.score(plane, 0);
  const dim = scorer.model.dim;
  let qArg = 0;
  for (let j = 1; j < k; j++)
    if ((density.qdaLogPosterior[j] as number) > (density.qdaLogPosterior[qArg] as number)) qArg = j;
  const maha = density.mahalanobis;
  let mMin = Infinity;
  for (let j = 0; j < k; j++) mMin = Math.min(mMin, maha[j] as number);
  const ldaLog = logSoftmaxAt(
    Array.from(maha, (d) => -0.5 * d),
    k,
    1,
    top,
  );
  let ink = 0;
  for (let d = 0; d < plane.length; d++) if ((plane[d] as number) > 0.5) ink++;
  const pTop = Math.max(probabilities[lo + top] as number, 1e-30);
  return {
    prediction: top,
    density,
    pixelScore: density.distance / dim,
    factsScore: factsScore(ctx.factsModel, facts),
    parts: {
      logMaxSoftmax: Math.max(Math.log(pTop), LOG_FLOOR),
      logitMargin: margin,
      dropoutSnr: snr,
      qdaLogPostPred: Math.max(density.qdaLogPosterior[top] as number, LOG_FLOOR),
      qdaAgree: qArg === top ? 1 : 0,
      ldaLogPostPred: Math.max(ldaLog, LOG_FLOOR),
      mahalanobisGap: Math.log1p(Math.max(0, (maha[top] as number) - mMin)),
      logResidual: Math.log(density.residual / Math.max(1, dim - scorer.model.pcaDim) + 1e-6),
      outputInk: ink / plane.length,
    },
  };
}

/** References of the OOD score: each part is divided by its calibration quantile. */
export interface OodReferences {
  pixelRef: number;
  factsRef: number;
}

function oodParts(m: Measurement, ood: OodReferences): { pixelPart: number; factsPart: number | undefined } {
  return {
    pixelPart: m.pixelScore / ood.pixelRef,
    factsPart: m.factsScore === undefined ? undefined : m.factsScore / ood.factsRef,
  };
}

/** The OOD score of a measurement: max(pixel part, facts part), each over its reference. */
export function oodScoreOf(m: Measurement, ood: OodReferences): number {
  const { pixelPart, factsPart } = oodParts(m, ood);
  return Math.max(pixelPart, factsPart ?? 0);
}

/** The {@link Signals} of a measurement of row `i`, given the pooling weights and the OOD references. */
export function deriveSignals(
  m: Measurement,
  logits: Float32Array,
  i: number,
  k: number,
  pooling: { modelWeight: number; densityWeight: number },
  ood: OodReferences,
  shapeLogit: number,
): Signals {
  const { pixelPart, factsPart } = oodParts(m, ood);
  const top = m.prediction;
  const pooled = pooledProbabilities(
    logits,
    i * k,
    m.density.qdaLogPosterior,
    k,
    pooling.modelWeight,
    pooling.densityWeight,
  );
  const p = m.parts;
  const logPixel = Math.log(pixelPart + 1e-6);
  const logFacts = Math.log((factsPart ?? pixelPart) + 1e-6);
  const answerFeatures = [
    p.logMaxSoftmax,
    p.logitMargin,
    p.dropoutSnr,
    p.qdaLogPostPred,
    p.qdaAgree,
    p.ldaLogPostPred,
    Math.max(Math.log(Math.max(pooled[top] as number, 1e-30)), LOG_FLOOR),
    p.mahalanobisGap,
    logPixel,
    p.logResidual,
    logFacts,
    p.outputInk,
    shapeLogit,
  ];
  const digitFeatures = [
    logPixel,
    logFacts,
    p.logResidual,
    p.outputInk,
    p.logMaxSoftmax,
    p.logitMargin,
    p.qdaLogPostPred,
    p.ldaLogPostPred,
    p.mahalanobisGap,
    shapeLogit,
  ];
  return {
    prediction: top,
    density: m.density,
    oodScore: Math.max(pixelPart, factsPart ?? 0),
    pixelScore: m.pixelScore,
    factsScore: m.factsScore,
    answerFeatures,
    digitFeatures,
    pooled,
  };
}

/**
 * Names of the shape discriminant's inputs: the leading principal-component coordinates of the grey input.
 */
export function shapeFeatureNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `pc${i}`);
}

/** The shape discriminant's logit (digit vs non-digit from the input's leading PCs); 0 without a model. */
export function shapeLogitOf(shape: LogisticModel | undefined, m: Measurement): number {
  return shape ? logisticLogit(shape, m.density.pcs) : 0;
}

/** Measures every row of a batch. */
export function measureBatch(
  ctx: MeasureContext,
  out: PredictOutputLike,
  inputs: Float32Array,
  facts: readonly (InputFactsLike | undefined)[] = [],
): Measurement[] {
  const plane = new Float32Array(ctx.scorer.model.dim);
  return Array.from({ length: out.n }, (_, i) => measureInput(ctx, out, inputs, i, facts[i], plane));
}

/** The OOD flag: the score above the artifact threshold, or an upload more colourful than any digit. */
export function isOutOfDistribution(
  ood: { threshold: number; maxColourfulness: number },
  s: { oodScore: number },
  facts: InputFactsLike | undefined,
): boolean {
  const colour = typeof facts?.colourfulness === 'number' ? facts.colourfulness : 0;
  return s.oodScore > ood.threshold || colour > ood.maxColourfulness;
}
