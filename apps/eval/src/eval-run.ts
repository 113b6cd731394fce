/** Runs one approach over the evaluation data and measures it. */
import type { LoadedModel } from '@mserve/model-runtime';
import { UncertaintyEngine, type CalibrationArtifact, type PredictOutputLike } from '@mserve/uncertainty';
import {
  ece,
  expandPlanes,
  fitCalibration,
  predictAll,
  summarizeProbabilitySamples,
  type McSummary,
  type PreparedSet,
  type ReliabilityBin,
} from '@mserve/uncertainty/fit';
import type { EvalData, ShiftName } from './eval-data';
import { SHIFTS } from './eval-data';
import { shiftedReport, type ShiftedReport } from './eval-shifted';
import {
  diagram,
  histogram,
  mean,
  misclassificationAuroc,
  riskCoverage,
  scoreReport,
  split,
  type RiskCoveragePoint,
  type ScoreReport,
} from './eval-metrics';

/** The conformal levels reported. */
export const ALPHAS = [0.01, 0.05, 0.1];
/** MC samples used when reporting our MC-dropout outputs. */
export const OUR_SAMPLES = 100;

interface Assessed {
  correct: boolean[];
  reliability: number[];
  maxSoftmax: number[];
  oodScore: number[];
  flag: boolean[];
  reliable: boolean[];
  mi: number[];
  sets: Record<number, number[][]>;
}

async function assessSet(model: LoadedModel, engine: UncertaintyEngine, s: PreparedSet): Promise<Assessed> {
  const inputs = expandPlanes(s.planes, s.n, model.metadata.inputShape);
  const out = await predictAll(model, inputs, s.n);
  const signals = engine.signals(out, inputs, s.facts);
  const mc = engine.assessSignals(out, inputs, s.facts, signals, { samples: OUR_SAMPLES, alpha: 0.05 });
  const sets: Record<number, number[][]> = {};
  for (const alpha of ALPHAS) {
    sets[alpha] = engine
      .assessSignals(out, inputs, s.facts, signals, { samples: 1, alpha })
      .map((a) => a.uncertainty.predictionSet);
  }
  return {
    correct: mc.map((a, i) => s.labels !== undefined && a.prediction === s.labels[i]),
    reliability: mc.map((a) => a.uncertainty.reliability),
    maxSoftmax: mc.map((a) => Math.max(...a.rawProbabilities)),
    oodScore: mc.map((a) => a.uncertainty.outOfDistribution.score),
    flag: mc.map((a) => a.uncertainty.outOfDistribution.flag),
    reliable: mc.map((a) => a.uncertainty.reliable),
    mi: mc.map((a) => a.uncertainty.mutualInformation),
    sets,
  };
}

/** Conformal results at one alpha on labelled digits. */
export interface ConformalReport {
  alpha: number;
  /** Share of digits whose set holds the true label (abstentions count as misses): the guaranteed quantity. */
  coverage: number;
  /** The same among digits the OOD gate accepted. */
  coverageAccepted: number;
  meanSetSize: number;
  emptySetRate: number;
  abstainRate: number;
}

function conformal(a: Assessed, labels: Uint8Array, alpha: number): ConformalReport {
  const sets = a.sets[alpha] as number[][];
  const accepted = a.flag.map((f) => !f);
  const cov = sets.map((s, i) => s.includes(labels[i] as number));
  const acc = split(cov, accepted).yes;
  const sizes = split(
    sets.map((s) => s.length),
    accepted,
  ).yes;
  return {
    alpha,
    coverage: mean(cov.map(Number)),
    coverageAccepted: mean(acc.map(Number)),
    meanSetSize: mean(sizes),
    emptySetRate: mean(sizes.map((n) => (n === 0 ? 1 : 0))),
    abstainRate: mean(a.flag.map(Number)),
  };
}

/** Per-shift results. */
export interface ShiftReport {
  n: number;
  accuracy: number;
  meanReliability: number;
  oodFlagRate: number;
  misclassificationAuroc: number;
  ece15: number;
  coverage05: number;
  meanSetSize05: number;
}

/** Everything measured for our approach on one model. */
export interface OursReport {
  model: string;
  digest: string;
  fitSeconds: number;
  dropout: CalibrationArtifact['dropout'];
  accuracy: number;
  /** Mean reliability on the MNIST evaluation digits: the label-free estimate of `accuracy`. */
  meanReliability: number;
  reliability: ScoreReport;
  maxSoftmax: ScoreReport;
  mutualInformationMisclassificationAuroc: number;
  ood: {
    fashionAuroc: number;
    threshold: number;
    evaluationPassRate: number;
    fashionFlagRate: number;
    uploadsPassRate: number;
    uploadsAccuracy: number;
    uploadsMeanReliability: number;
  };
  reliable: { threshold: number; rule: string; share: number; selectiveRisk: number; fashionReliableRate: number };
  conformal: ConformalReport[];
  fashionAbstainRate: number;
  shifts: Record<ShiftName, ShiftReport>;
  /** The shifted-digits evaluation split (fonts never used in fitting). */
  shifted: ShiftedReport;
  diagram: ReliabilityBin[];
  riskCoverage: RiskCoveragePoint[];
  histograms: { mnistOod: number[]; fashionOod: number[]; mnistReliability: number[]; fashionReliability: number[] };
}

/** Fits our calibration for `model` on the data's fitting sets and evaluates it. */
export async function evaluateOurs(
  model: LoadedModel,
  d: EvalData,
  log: (m: string) => void,
  density?: CalibrationArtifact['density'],
): Promise<{ report: OursReport; artifact: CalibrationArtifact }> {
  const artifact = await fitCalibration({
    ...(density ? { density } : {}),
    model,
    train: d.train,
    calibration: d.calibration,
    synthetic: d.synthetic,
    uploads: d.trainUploads,
    shifted: d.shiftedFit,
    log,
  });
  const engine = UncertaintyEngine.create(artifact, model);
  const ev = await assessSet(model, engine, d.evaluation);
  const fa = await assessSet(model, engine, d.fashion);
  const up = await assessSet(model, engine, d.evalUploads);
  const labels = d.evaluation.labels as Uint8Array;
  const se = d.shiftedEval;
  const shifted = shiftedReport({
    split: 'eval',
    digits: await assessSet(model, engine, se.digits),
    looks: se.digits.looks,
    nonDigits: await assessSet(model, engine, se.nonDigits),
    kinds: se.nonDigits.kinds,
    rejected: se.rejected,
  });
  const shifts = {} as Record<ShiftName, ShiftReport>;
  for (const name of SHIFTS) {
    const set = d.shifts[name];
    const a = await assessSet(model, engine, set);
    const c = conformal(a, set.labels as Uint8Array, 0.05);
    shifts[name] = {
      n: set.n,
      accuracy: mean(a.correct.map(Number)),
      meanReliability: mean(a.reliability),
      oodFlagRate: mean(a.flag.map(Number)),
      misclassificationAuroc: misclassificationAuroc(a.reliability, a.correct),
      ece15: ece(a.reliability, a.correct.map(Number), 15),
      coverage05: c.coverage,
      meanSetSize05: c.meanSetSize,
    };
  }
  const rel = artifact.reliability;
  const reliableMask = ev.reliability.map((r, i) => r >= rel.threshold && !ev.flag[i]);
  const { yes: reliableCorrect } = split(ev.correct, reliableMask);
  const logOod = (v: number[]): number[] => v.map((x) => Math.log10(Math.max(x, 1e-3)));
  const report: OursReport = {
    model: model.metadata.name,
    digest: model.metadata.digest,
    fitSeconds: artifact.fitSeconds,
    dropout: artifact.dropout,
    accuracy: mean(ev.correct.map(Number)),
    meanReliability: mean(ev.reliability),
    reliability: scoreReport(ev.reliability, ev.correct, fa.reliability, true),
    maxSoftmax: scoreReport(ev.maxSoftmax, ev.correct, fa.maxSoftmax, true),
    mutualInformationMisclassificationAuroc: misclassificationAuroc(
      ev.mi.map((x) => -x),
      ev.correct,
    ),
    ood: {
      fashionAuroc: scoreReport(
        ev.oodScore.map((x) => -x),
        ev.correct,
        fa.oodScore.map((x) => -x),
        false,
      ).fashionAuroc,
      threshold: artifact.ood.threshold,
      evaluationPassRate: mean(ev.flag.map((f) => (f ? 0 : 1))),
      fashionFlagRate: mean(fa.flag.map(Number)),
      uploadsPassRate: mean(up.flag.map((f) => (f ? 0 : 1))),
      uploadsAccuracy: mean(up.correct.map(Number)),
      uploadsMeanReliability: mean(up.reliability),
    },
    reliable: {
      threshold: rel.threshold,
      rule: rel.thresholdRule,
      share: mean(reliableMask.map(Number)),
      selectiveRisk: 1 - mean(reliableCorrect.map(Number)),
      fashionReliableRate: mean(fa.reliability.map((r, i) => (r >= rel.threshold && !fa.flag[i] ? 1 : 0))),
    },
    conformal: ALPHAS.map((alpha) => conformal(ev, labels, alpha)),
    fashionAbstainRate: mean(fa.flag.map(Number)),
    shifts,
    shifted,
    diagram: diagram(ev.reliability, ev.correct),
    riskCoverage: riskCoverage(ev.reliability, ev.correct).curve,
    histograms: {
      mnistOod: histogram(logOod(ev.oodScore), -1.5, 1.5, 40),
      fashionOod: histogram(logOod(fa.oodScore), -1.5, 1.5, 40),
      mnistReliability: histogram(ev.reliability, 0, 1, 40),
      fashionReliability: histogram(fa.reliability, 0, 1, 40),
    },
  };
  return { report, artifact };
}

/** Native MC dropout with T brute-force passes (`predict({dropout: true})`), summarised per input. */
export async function nativeMcDropout(
  model: LoadedModel,
  s: PreparedSet,
  T: number,
): Promise<{ det: PredictOutputLike; mc: McSummary[] }> {
  const inputs = expandPlanes(s.planes, s.n, model.metadata.inputShape);
  const det = await predictAll(model, inputs, s.n);
  const passes: Float32Array[] = [];
  for (let t = 0; t < T; t++) passes.push((await predictAll(model, inputs, s.n, 512, true)).probabilities);
  const k = model.metadata.classes;
  return { det, mc: Array.from({ length: s.n }, (_, i) => summarizeProbabilitySamples(passes, i * k, k)) };
}

/** The reference: MC dropout with T=10 native passes on the dropout-trained model. */
export interface ReferenceReport {
  model: string;
  samples: number;
  accuracy: number;
  maxMeanProbability: ScoreReport;
  negEntropy: ScoreReport;
  negMutualInformation: ScoreReport;
  riskCoverage: RiskCoveragePoint[];
  diagram: ReliabilityBin[];
}

/** Evaluates the reference approach on the same splits. */
export async function evaluateReference(model: LoadedModel, d: EvalData, T: number): Promise<ReferenceReport> {
  const ev = await nativeMcDropout(model, d.evaluation, T);
  const fa = await nativeMcDropout(model, d.fashion, T);
  const labels = d.evaluation.labels as Uint8Array;
  const pred = ev.mc.map((m) => m.mean.indexOf(Math.max(...m.mean)));
  const correct = pred.map((p, i) => p === labels[i]);
  const conf = (x: McSummary[]): number[] => x.map((m) => Math.max(...m.mean));
  return {
    model: model.metadata.name,
    samples: T,
    accuracy: mean(correct.map(Number)),
    maxMeanProbability: scoreReport(conf(ev.mc), correct, conf(fa.mc), true),
    negEntropy: scoreReport(
      ev.mc.map((m) => -m.entropy),
      correct,
      fa.mc.map((m) => -m.entropy),
      false,
    ),
    negMutualInformation: scoreReport(
      ev.mc.map((m) => -m.mutualInformation),
      correct,
      fa.mc.map((m) => -m.mutualInformation),
      false,
    ),
    riskCoverage: riskCoverage(conf(ev.mc), correct).curve,
    diagram: diagram(conf(ev.mc), correct),
  };
}
