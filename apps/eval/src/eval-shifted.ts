/**
 * The shifted-digits evaluation: digits and non-digits in fonts never used in fitting, through every look. Measures
 * whether reliability separates right digits from wrong ones and from non-digits, whether it is calibrated per
 * look, and whether its mean estimates a set's accuracy without labels.
 */
import { auroc, ece } from '@mserve/uncertainty/fit';
import { mean } from './eval-metrics';

/** What one set of assessed inputs contributes. */
export interface AssessedShifted {
  correct: boolean[];
  reliability: number[];
  reliable: boolean[];
  flag: boolean[];
}

/** Results on the digits of one look (or all looks). */
export interface LookReport {
  n: number;
  accuracy: number;
  /** Mean reliability: the label-free estimate of `accuracy`. */
  meanReliability: number;
  /** |meanReliability - accuracy|. */
  estimateError: number;
  ece15: number;
  misclassificationAuroc: number;
  oodFlagRate: number;
  /** Share of the correct digits called reliable. */
  reliableCorrectShare: number;
}

/** Everything measured on the shifted evaluation split. */
export interface ShiftedReport {
  split: string;
  digits: number;
  nearOod: number;
  farOod: number;
  /** Items preprocessing rejected before the model (counted out of every rate). */
  rejected: Record<string, number>;
  overall: LookReport;
  looks: Record<string, LookReport>;
  /** AUROC of reliability, correct digits (positive) against each negative set. */
  auroc: { wrongOrNonDigit: number; nearOod: number; farOod: number; wrong: number };
  /** Non-digits: mean reliability and the share called reliable or flagged out of distribution. */
  nonDigits: {
    nearOodReliableRate: number;
    farOodReliableRate: number;
    nearOodFlagRate: number;
    farOodFlagRate: number;
  };
  /** At the `reliable` threshold: correct digits kept, and the share of answers called reliable that are wrong or non-digits. */
  reliable: {
    correctShare: number;
    badShare: number;
    count: number;
    /**
     * The best any threshold on reliability could do on this split (chosen with its labels, so not attainable in
     * service): the share of correct digits above the lowest threshold whose answers are wrong or non-digits <= 2%.
     */
    oracleCorrectShareAt2pct: number;
    oracleThreshold: number;
  };
}

/** The lowest threshold at which <= `risk` of the answers above are bad, and the share of good ones it keeps. */
function oracle(good: number[], bad: number[], risk: number): { share: number; threshold: number } {
  const all = [...good.map((r) => ({ r, ok: 1 })), ...bad.map((r) => ({ r, ok: 0 }))].sort((a, b) => b.r - a.r);
  let nGood = 0;
  let nBad = 0;
  let best = { share: 0, threshold: 1 };
  for (const x of all) {
    if (x.ok) nGood++;
    else nBad++;
    if (nBad / (nGood + nBad) <= risk) best = { share: nGood / Math.max(1, good.length), threshold: x.r };
  }
  return best;
}

function lookReport(a: AssessedShifted, idx: number[]): LookReport {
  const c = idx.map((i) => a.correct[i] as boolean);
  const r = idx.map((i) => a.reliability[i] as number);
  const acc = mean(c.map(Number));
  const mr = mean(r);
  const right = idx.filter((i) => a.correct[i]);
  return {
    n: idx.length,
    accuracy: acc,
    meanReliability: mr,
    estimateError: Math.abs(mr - acc),
    ece15: ece(r, c.map(Number), 15),
    misclassificationAuroc: auroc(
      r.filter((_, j) => c[j]),
      r.filter((_, j) => !c[j]),
    ),
    oodFlagRate: mean(idx.map((i) => (a.flag[i] ? 1 : 0))),
    reliableCorrectShare: mean(right.map((i) => (a.reliable[i] ? 1 : 0))),
  };
}

/** Measures the shifted evaluation split from the assessed digits (with their looks) and non-digits. */
export function shiftedReport(args: {
  split: string;
  digits: AssessedShifted;
  looks: string[];
  nonDigits: AssessedShifted;
  kinds: string[];
  rejected: Record<string, number>;
}): ShiftedReport {
  const { digits: d, nonDigits: o, kinds } = args;
  const all = d.correct.map((_, i) => i);
  const looks: Record<string, LookReport> = {};
  for (const look of [...new Set(args.looks)]) {
    looks[look] = lookReport(
      d,
      all.filter((i) => args.looks[i] === look),
    );
  }
  const right = d.reliability.filter((_, i) => d.correct[i]);
  const wrong = d.reliability.filter((_, i) => !d.correct[i]);
  const near = o.reliability.filter((_, i) => kinds[i] === 'near-ood');
  const far = o.reliability.filter((_, i) => kinds[i] === 'far-ood');
  const rate = (v: boolean[], kind: string): number => mean(v.filter((_, i) => kinds[i] === kind).map(Number));
  const reliableDigits = d.reliable.filter(Boolean).length;
  const reliableWrong = d.reliable.filter((r, i) => r && !d.correct[i]).length;
  const reliableNon = o.reliable.filter(Boolean).length;
  const count = reliableDigits + reliableNon;
  const best = oracle(right, [...wrong, ...o.reliability], 0.02);
  return {
    split: args.split,
    digits: d.correct.length,
    nearOod: near.length,
    farOod: far.length,
    rejected: args.rejected,
    overall: lookReport(d, all),
    looks,
    auroc: {
      wrongOrNonDigit: auroc(right, [...wrong, ...near, ...far]),
      nearOod: auroc(right, near),
      farOod: auroc(right, far),
      wrong: auroc(right, wrong),
    },
    nonDigits: {
      nearOodReliableRate: rate(o.reliable, 'near-ood'),
      farOodReliableRate: rate(o.reliable, 'far-ood'),
      nearOodFlagRate: rate(o.flag, 'near-ood'),
      farOodFlagRate: rate(o.flag, 'far-ood'),
    },
    reliable: {
      correctShare: mean(d.reliable.filter((_, i) => d.correct[i]).map(Number)),
      badShare: count === 0 ? 0 : (reliableWrong + reliableNon) / count,
      count,
      oracleCorrectShareAt2pct: best.share,
      oracleThreshold: best.threshold,
    },
  };
}
