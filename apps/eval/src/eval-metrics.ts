/** Metrics of the evaluation, over plain score arrays. */
import { auroc, ece, reliabilityBins, type ReliabilityBin } from '@mserve/uncertainty/fit';

/** Split values by a boolean mask. */
export function split<T>(values: T[], mask: boolean[]): { yes: T[]; no: T[] } {
  const yes: T[] = [];
  const no: T[] = [];
  values.forEach((v, i) => (mask[i] ? yes : no).push(v));
  return { yes, no };
}

/** Mean of a list (NaN when empty). */
export function mean(v: number[]): number {
  return v.length === 0 ? NaN : v.reduce((a, b) => a + b, 0) / v.length;
}

/** Misclassification AUROC: right answers should score higher than wrong ones. */
export function misclassificationAuroc(score: number[], correct: boolean[]): number {
  const { yes, no } = split(score, correct);
  return auroc(yes, no);
}

/** One point of a risk-coverage curve: keep the `coverage` most confident answers, `risk` of them are wrong. */
export interface RiskCoveragePoint {
  coverage: number;
  risk: number;
}

/** Risk-coverage curve (confidence descending) at ~100 points, and its area (AURC, lower is better). */
export function riskCoverage(score: number[], correct: boolean[]): { curve: RiskCoveragePoint[]; aurc: number } {
  const idx = score.map((_, i) => i).sort((a, b) => (score[b] as number) - (score[a] as number));
  const n = idx.length;
  const curve: RiskCoveragePoint[] = [];
  let wrong = 0;
  let area = 0;
  const step = Math.max(1, Math.floor(n / 100));
  idx.forEach((i, r) => {
    if (!correct[i]) wrong++;
    area += wrong / (r + 1);
    if ((r + 1) % step === 0 || r === n - 1) curve.push({ coverage: (r + 1) / n, risk: wrong / (r + 1) });
  });
  return { curve, aurc: area / n };
}

/** Everything measured for one confidence score on one model. */
export interface ScoreReport {
  misclassificationAuroc: number;
  fashionAuroc: number;
  correctVsWrongOrFashionAuroc: number;
  ece15: number;
  aurc: number;
}

/** Scores a confidence (higher = more trustworthy) against MNIST correctness and Fashion-MNIST. */
export function scoreReport(
  mnistScore: number[],
  correct: boolean[],
  fashionScore: number[],
  probabilityLike: boolean,
): ScoreReport {
  const { yes, no } = split(mnistScore, correct);
  return {
    misclassificationAuroc: auroc(yes, no),
    fashionAuroc: auroc(mnistScore, fashionScore),
    correctVsWrongOrFashionAuroc: auroc(yes, [...no, ...fashionScore]),
    ece15: probabilityLike
      ? ece(
          mnistScore,
          correct.map((c) => (c ? 1 : 0)),
          15,
        )
      : NaN,
    aurc: riskCoverage(mnistScore, correct).aurc,
  };
}

/** Reliability-diagram bins of a probability-like score. */
export function diagram(score: number[], correct: boolean[]): ReliabilityBin[] {
  return reliabilityBins(
    score,
    correct.map((c) => (c ? 1 : 0)),
    15,
  );
}

/** Histogram counts of `values` on `bins` equal-width bins over [lo, hi] (values clamped into range). */
export function histogram(values: number[], lo: number, hi: number, bins: number): number[] {
  const out = new Array<number>(bins).fill(0);
  for (const v of values) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)));
    out[b] = (out[b] as number) + 1;
  }
  return out;
}
