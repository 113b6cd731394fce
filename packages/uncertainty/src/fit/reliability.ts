/** Reliability stage: P(answer right | digit), its isotonic calibration, the digit gate and the `reliable` bar. */
import type { CalibrationArtifact } from '../artifact';
import { ANSWER_FEATURES, DIGIT_FEATURES, isOutOfDistribution, type Signals } from '../signals';
import { factsRoute, type FactsModel } from '../facts-model';
import {
  fitIsotonic,
  fitLogistic,
  isotonicAt,
  logisticLogit,
  sigmoid,
  type IsotonicModel,
  type LogisticModel,
} from '../stats';
import type { InputFactsLike } from '../types';

/** Signals of a set of inputs with their facts. */
interface Observed {
  signals: Signals[];
  facts: InputFactsLike[];
}

/** Smallest reliability t such that answers with reliability >= t are wrong at most `risk` often. */
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

/** Per-row weights giving each group the same total weight (a group of n rows gets 1/n per row). */
function groupWeights(sizes: number[], total: number): number[] {
  const present = sizes.filter((s) => s > 0).length;
  return sizes.flatMap((s) => new Array<number>(s).fill(total / Math.max(1, present) / Math.max(1, s)));
}

const NONE: Observed & { labels: Uint8Array } = { signals: [], facts: [], labels: new Uint8Array(0) };

/**
 * Fits the answer model on calibration digits and shifted fitting digits (isotonic map on out-of-fold scores of
 * the mix), the digit gate on calibration digits, digit uploads and shifted digits against synthetic and shifted
 * non-digits, and the `reliable` threshold at `targetRisk` (the stricter of the MNIST and the shifted bar).
 */
export function fitReliabilityStage(args: {
  calibration: Observed & { labels: Uint8Array };
  uploads: Observed;
  synthetic: Observed;
  shiftedDigits?: Observed & { labels: Uint8Array };
  shiftedNonDigits?: Observed;
  ood: CalibrationArtifact['ood'];
  targetRisk: number;
  shiftedRisk: number;
  nonDigitPrior: number;
  factsModel: FactsModel;
}): CalibrationArtifact['reliability'] {
  const { calibration: cal, uploads, synthetic, ood } = args;
  const sd = args.shiftedDigits ?? NONE;
  const sn = args.shiftedNonDigits ?? NONE;
  const flag = (s: Signals, facts: InputFactsLike | undefined): number => (isOutOfDistribution(ood, s, facts) ? 1 : 0);
  // The answer model sees MNIST and shifted digits, each group with the same total weight, so that neither
  // source's notion of a likely mistake dominates.
  const ansSig = [...cal.signals, ...sd.signals];
  const ansFacts = [...cal.facts, ...sd.facts];
  const labels = [...cal.labels, ...sd.labels];
  const n = ansSig.length;
  const ansW = groupWeights([cal.signals.length, sd.signals.length], n);
  const correct = ansSig.map((s, i) => (s.prediction === labels[i] ? 1 : 0));
  const fitAnswer = (idx: number[]): LogisticModel =>
    fitLogistic(
      [...ANSWER_FEATURES],
      idx.map((i) => (ansSig[i] as Signals).answerFeatures),
      idx.map((i) => correct[i] as number),
      { l2: 1e-2, weights: idx.map((i) => ansW[i] as number) },
    );
  // K-fold cross-fitting: the isotonic map is fitted on out-of-fold answer-model scores, so the reliability is
  // calibrated on digits the answer model did not see.
  const folds = 5;
  const oof = new Array<number>(n).fill(0);
  for (let f = 0; f < folds; f++) {
    const m = fitAnswer(ansSig.map((_, i) => i).filter((i) => i % folds !== f));
    for (let i = f; i < n; i += folds) oof[i] = sigmoid(logisticLogit(m, (ansSig[i] as Signals).answerFeatures));
  }
  const isotonic = fitIsotonic(oof, correct, ansW);
  const answer = fitAnswer(ansSig.map((_, i) => i));

  const pos: Observed[] = [cal, uploads, sd];
  const neg: Observed[] = [synthetic, sn];
  const rows = (o: Observed): number[][] => o.signals.map((s, i) => [...s.digitFeatures, flag(s, o.facts[i])]);
  const posN = pos.reduce((a, o) => a + o.signals.length, 0);
  const digit = fitLogistic(
    [...DIGIT_FEATURES],
    [...pos.flatMap(rows), ...neg.flatMap(rows)],
    [...pos.flatMap((o) => o.signals.map(() => 1)), ...neg.flatMap((o) => o.signals.map(() => 0))],
    {
      // Stronger ridge than the answer model: the distance features are collinear, and unpenalised opposing
      // weights would extrapolate badly to non-digits unlike the ones seen.
      l2: 1,
      weights: [
        ...groupWeights(
          pos.map((o) => o.signals.length),
          posN,
        ),
        ...groupWeights(
          neg.map((o) => o.signals.length),
          posN,
        ),
      ],
    },
  );
  // The gate was fitted with equal total weights (prior 1/2); re-centre it on the stated non-digit prior.
  digit.bias += Math.log((1 - args.nonDigitPrior) / args.nonDigitPrior);
  const pDigit = (s: Signals, f: InputFactsLike | undefined): number =>
    sigmoid(logisticLogit(digit, [...s.digitFeatures, flag(s, f)]));
  const rawRel = (s: Signals, f: InputFactsLike | undefined, p: number): number =>
    isotonicAt(isotonic, p) * pDigit(s, f);
  // P(right | digit) x P(digit) ranks well but reads low on every digit (P(digit) < 1 even for a clean one), so
  // a last monotone map, fitted on the digits, makes it a calibrated P(correct) there; it keeps the order, so
  // non-digits stay below the digits they ranked below.
  const oofRaw = oof.map((p, i) => rawRel(ansSig[i] as Signals, ansFacts[i], p));
  // One map per acquisition route: a pooled map raised the shifted digits as much as the MNIST ones needed
  // (a shifted look's estimate 0.06 too high) or left MNIST low (ECE 0.011), in development runs.
  const routes = ansFacts.map((f) => factsRoute(args.factsModel, f));
  const fitRoute = (route: string): IsotonicModel => {
    const idx = oofRaw.flatMap((_, i) => (routes[i] === route ? [i] : []));
    if (idx.length < 50) return fitIsotonic(oofRaw, correct, ansW);
    return fitIsotonic(
      idx.map((i) => oofRaw[i] as number),
      idx.map((i) => correct[i] as number),
    );
  };
  const final = { pixels: fitRoute('pixels'), uploads: fitRoute('uploads') };
  // Flagged inputs are never `reliable`: they enter the threshold search at reliability 0.
  const relOf = (s: Signals, f: InputFactsLike | undefined, p: number): number =>
    flag(s, f) ? 0 : isotonicAt(final[factsRoute(args.factsModel, f)], rawRel(s, f, p));
  const oofRel = oof.map((p, i) => relOf(ansSig[i] as Signals, ansFacts[i], p));
  const nc = cal.signals.length;
  const mnistBar = riskThreshold(oofRel.slice(0, nc), correct.slice(0, nc), args.targetRisk);
  let threshold = mnistBar;
  let shiftedBar: number | undefined;
  if (sd.signals.length > 0) {
    // Shifted digits and shifted non-digits (counted as wrong answers).
    const nonRel = sn.signals.map((s, i) => relOf(s, sn.facts[i], sigmoid(logisticLogit(answer, s.answerFeatures))));
    shiftedBar = riskThreshold(
      [...oofRel.slice(nc), ...nonRel],
      [...correct.slice(nc), ...nonRel.map(() => 0)],
      args.shiftedRisk,
    );
    threshold = Math.max(mnistBar, shiftedBar);
  }
  return {
    answer,
    isotonic,
    digit,
    final,
    threshold,
    thresholdRule:
      `lowest reliability whose answers at or above it are wrong <= ${args.targetRisk * 100}% of the time on ` +
      `MNIST calibration digits and <= ${args.shiftedRisk * 100}% on shifted fitting digits with non-digits ` +
      `counted as wrong (out-of-fold); MNIST bar ${mnistBar.toFixed(4)}` +
      (shiftedBar === undefined ? '' : `, shifted bar ${shiftedBar.toFixed(4)}`),
  };
}
