/**
 * Drift statistics of a window against the calibration reference, each expressed as a z-score (standard errors of
 * departure from the reference, one-sided towards "worse"), and the alarm rule over them.
 */
import { CLASSES, WATCHED_FACTS, type DriftCounts, type Observation, type WatchedFact } from './counts';

/** What in-distribution traffic looks like: the calibration digits as the service answers them. */
export interface DriftReference {
  model: { name: string; digest: string };
  /** Where the numbers come from (data set, split, request parameters). */
  source: string;
  /** Observations the reference was computed from (its own sampling error enters every z-score). */
  n: number;
  oodRate: number;
  reliability: { mean: number; sd: number };
  /** Share of each predicted class. */
  classMix: number[];
  facts: Record<WatchedFact, { mean: number; sd: number }>;
}

/** The alarm rule. */
export interface AlarmRule {
  /** A window alarms when its drift score (the largest z-score) reaches this. */
  threshold: number;
  /** Windows with fewer predictions never alarm (too little evidence). */
  minCount: number;
  /**
   * At most this many predictions count as evidence: a departure too small to show in this many requests is not
   * worth an alarm, and an hour of heavy traffic would otherwise make any negligible difference "significant".
   */
  maxEffectiveN: number;
}

/**
 * The default rule. The threshold comes from `pnpm drift:eval` (reports/drift.md, "Threshold sweep"): on every
 * sliding window of 500 requests over the 10,000 MNIST test digits in stored order (where a cluster of one writer's
 * OOD-flagged digits gives the largest in-distribution score), over the held-out half and over 20 shuffles, 7 is the
 * smallest integer threshold that never alarmed; 8 leaves a margin for traffic a little noisier than MNIST, at the
 * cost of a few more requests before a shift is caught.
 */
export const DEFAULT_ALARM_RULE: AlarmRule = { threshold: 8, minCount: 200, maxEffectiveN: 2000 };

/** What a window says, against the reference. */
export interface DriftStats {
  n: number;
  oodRate: number;
  /** Mean reliability: the label-free estimate of the accuracy on this window. */
  estimatedAccuracy: number;
  classMix: number[];
  /** Population stability index of the predicted-class mix against the reference. */
  classPsi: number;
  /** Chi-square of the predicted-class mix against the reference (two-sample, effective n). */
  classChiSquare: number;
  factMeans: Record<WatchedFact, number>;
  z: { ood: number; reliabilityDrop: number; classMix: number; facts: Record<WatchedFact, number> };
  /**
   * Largest z-score of the statistics that bear on the answers (OOD rate, reliability drop, class mix): the drift
   * score the alarm compares with its threshold.
   */
  score: number;
  /** Which statistic gave the score. */
  driver: string;
  /**
   * Largest z-score of the watched input facts: reported, never alarmed on. A window of a few writers (or one
   * client's scanner) moves the facts far without touching accuracy: MNIST test digits in their stored order, grouped
   * by writer, reach scores that would alarm all day (reports/drift.md).
   */
  inputScore: number;
  inputDriver: string;
  alarm: boolean;
  /** Realised accuracy of predictions given feedback, beside the mean reliability of those same predictions. */
  feedback: { n: number; realisedAccuracy: number | null; estimatedAccuracy: number | null };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sd = (xs: readonly number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
};

/** The reference of a set of in-distribution observations. */
export function buildReference(
  obs: readonly Observation[],
  model: DriftReference['model'],
  source: string,
): DriftReference {
  const rel = obs.map((o) => o.reliability);
  const classMix = new Array<number>(CLASSES).fill(0);
  for (const o of obs) classMix[o.prediction] = (classMix[o.prediction] ?? 0) + 1 / obs.length;
  const facts = {} as DriftReference['facts'];
  for (const f of WATCHED_FACTS) {
    const v = obs.map((o) => o.facts?.[f]).filter((x): x is number => typeof x === 'number');
    facts[f] = { mean: round(mean(v)), sd: round(sd(v)) };
  }
  return {
    model,
    source,
    n: obs.length,
    oodRate: round(mean(obs.map((o) => (o.oodFlag ? 1 : 0)))),
    reliability: { mean: round(mean(rel)), sd: round(sd(rel)) },
    classMix: classMix.map(round),
    facts,
  };
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}

/** Wilson–Hilferty: a chi-square with `df` degrees of freedom as an approximately standard normal z. */
export function chiSquareToZ(chi2: number, df: number): number {
  const a = 2 / (9 * df);
  return (Math.cbrt(Math.max(0, chi2) / df) - (1 - a)) / Math.sqrt(a);
}

/** Statistics of window `c` against `ref` under `rule`. */
export function driftStats(c: DriftCounts, ref: DriftReference, rule: AlarmRule = DEFAULT_ALARM_RULE): DriftStats {
  const n = c.n;
  const nEff = Math.max(1, Math.min(n, rule.maxEffectiveN));
  const inv = 1 / nEff + 1 / Math.max(1, ref.n);
  const oodRate = n > 0 ? c.ood / n : 0;
  // A reference rate of 0 would make any single flag infinitely surprising: floor it at half a reference count.
  const p0 = Math.max(ref.oodRate, 0.5 / Math.max(1, ref.n));
  const zOod = n > 0 ? (oodRate - p0) / Math.sqrt(p0 * (1 - p0) * inv) : 0;
  const estimatedAccuracy = n > 0 ? c.reliabilitySum / n : 0;
  const zRel =
    n > 0 ? (ref.reliability.mean - estimatedAccuracy) / (Math.max(ref.reliability.sd, 1e-6) * Math.sqrt(inv)) : 0;

  const classMix = c.classes.map((k) => (n > 0 ? k / n : 0));
  let chi2 = 0;
  let psi = 0;
  for (let k = 0; k < CLASSES; k++) {
    const e = Math.max(ref.classMix[k] ?? 0, 1e-4);
    const p = classMix[k] ?? 0;
    chi2 += (p - e) ** 2 / (e * inv);
    // Half a count of smoothing keeps an unseen class finite.
    const ps = n > 0 ? ((c.classes[k] ?? 0) + 0.5) / (n + 0.5 * CLASSES) : e;
    psi += (ps - e) * Math.log(ps / e);
  }
  const zClass = n > 0 ? chiSquareToZ(chi2, CLASSES - 1) : 0;

  const factMeans = {} as Record<WatchedFact, number>;
  const zFacts = {} as Record<WatchedFact, number>;
  for (const f of WATCHED_FACTS) {
    const s = c.facts[f];
    const m = s.n > 0 ? s.sum / s.n : 0;
    factMeans[f] = m;
    const r = ref.facts[f];
    const fInv = 1 / Math.max(1, Math.min(s.n, rule.maxEffectiveN)) + 1 / Math.max(1, ref.n);
    zFacts[f] = s.n > 0 ? Math.abs(m - r.mean) / (Math.max(r.sd, 1e-6) * Math.sqrt(fInv)) : 0;
  }

  const largest = (parts: [string, number][]) => parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  const [driver, score] = largest([
    ['ood', zOod],
    ['reliabilityDrop', zRel],
    ['classMix', zClass],
  ]);
  const [inputDriver, inputScore] = largest(WATCHED_FACTS.map((f): [string, number] => [`facts.${f}`, zFacts[f]]));
  const fb = c.feedback;
  return {
    n,
    oodRate,
    estimatedAccuracy,
    classMix,
    classPsi: psi,
    classChiSquare: chi2,
    factMeans,
    z: { ood: zOod, reliabilityDrop: zRel, classMix: zClass, facts: zFacts },
    score,
    driver,
    inputScore,
    inputDriver,
    alarm: n >= rule.minCount && score >= rule.threshold,
    feedback: {
      n: fb.n,
      realisedAccuracy: fb.n > 0 ? fb.correct / fb.n : null,
      estimatedAccuracy: fb.n > 0 ? fb.reliabilitySum / fb.n : null,
    },
  };
}
