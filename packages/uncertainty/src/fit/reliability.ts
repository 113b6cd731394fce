/** Reliability stage: P(answer right | digit), its isotonic calibration, the digit gate and the `reliable` bar. */
import type { CalibrationArtifact } from '../artifact';
import { ANSWER_FEATURES, DIGIT_FEATURES, isOutOfDistribution, type Signals } from '../signals';
import { fitIsotonic, fitLogistic, isotonicAt, logisticLogit, sigmoid, type LogisticModel } from '../stats';
import type { InputFactsLike } from '../types';

/** Signals of a set of inputs with their facts. */
interface Observed {
  signals: Signals[];
  facts: InputFactsLike[];
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
 * Fits the answer model on calibration digits (isotonic map out-of-fold), the digit gate on calibration digits and
 * digit uploads against synthetic non-digits, and the `reliable` threshold at `targetRisk`.
 */
export function fitReliabilityStage(args: {
  calibration: Observed & { labels: Uint8Array };
  uploads: Observed;
  synthetic: Observed;
  ood: CalibrationArtifact['ood'];
  targetRisk: number;
  nonDigitPrior: number;
}): CalibrationArtifact['reliability'] {
  const { calibration: cal, uploads, synthetic, ood } = args;
  const calSig = cal.signals;
  const n = calSig.length;
  const flag = (s: Signals, facts: InputFactsLike | undefined): number => (isOutOfDistribution(ood, s, facts) ? 1 : 0);
  const correct = calSig.map((s, i) => (s.prediction === cal.labels[i] ? 1 : 0));
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
  const oof = new Array<number>(n).fill(0);
  for (let f = 0; f < folds; f++) {
    const m = fitAnswer(calSig.map((_, i) => i).filter((i) => i % folds !== f));
    for (let i = f; i < n; i += folds) oof[i] = sigmoid(logisticLogit(m, (calSig[i] as Signals).answerFeatures));
  }
  const isotonic = fitIsotonic(oof, correct);
  const answer = fitAnswer(calSig.map((_, i) => i));
  const digitsSig = [...calSig, ...uploads.signals];
  const digitsFacts = [...cal.facts, ...uploads.facts];
  const synSig = synthetic.signals;
  const digit = fitLogistic(
    [...DIGIT_FEATURES],
    [
      ...digitsSig.map((s, i) => [...s.digitFeatures, flag(s, digitsFacts[i])]),
      ...synSig.map((s, i) => [...s.digitFeatures, flag(s, synthetic.facts[i])]),
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
  digit.bias += Math.log((1 - args.nonDigitPrior) / args.nonDigitPrior);
  const oofRel = oof.map((s, i) => {
    const sig = calSig[i] as Signals;
    return isotonicAt(isotonic, s) * sigmoid(logisticLogit(digit, [...sig.digitFeatures, flag(sig, cal.facts[i])]));
  });
  return {
    answer,
    isotonic,
    digit,
    threshold: riskThreshold(oofRel, correct, args.targetRisk),
    thresholdRule: `lowest reliability whose calibration answers at or above it are wrong <= ${args.targetRisk * 100}% of the time (out-of-fold)`,
  };
}
