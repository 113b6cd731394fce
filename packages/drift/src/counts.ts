/**
 * The sufficient statistics of a stream of predictions: sums that add up across workers, minutes and windows, so a
 * window is the sum of its per-minute buckets and several processes can write the same bucket.
 */

/** Input facts whose distribution is watched: shape facts that mean the same for raw pixels and uploads. */
export const WATCHED_FACTS = ['inkFraction', 'outputInk', 'strokeWidth', 'bboxAspect', 'bboxFill'] as const;
/** One watched input fact. */
export type WatchedFact = (typeof WATCHED_FACTS)[number];

/** Number of classes of the model (MNIST digits). */
export const CLASSES = 10;

/** What the monitor takes from one completed prediction. */
export interface Observation {
  prediction: number;
  /** Calibrated P(correct): its mean over a window is the label-free accuracy estimate. */
  reliability: number;
  oodFlag: boolean;
  facts?: Partial<Record<WatchedFact, number>>;
}

/** A true label given for a completed prediction (`POST /v1/jobs/{id}/feedback`). */
export interface FeedbackObservation {
  correct: boolean;
  /** The reliability the service gave that prediction: the estimate the realised accuracy is compared with. */
  reliability: number;
}

/** Sums over a set of observations. */
export interface DriftCounts {
  n: number;
  ood: number;
  reliabilitySum: number;
  classes: number[];
  facts: Record<WatchedFact, { n: number; sum: number; sumSq: number }>;
  feedback: { n: number; correct: number; reliabilitySum: number };
}

/** Counts of no observation. */
export function emptyCounts(): DriftCounts {
  const facts = {} as DriftCounts['facts'];
  for (const f of WATCHED_FACTS) facts[f] = { n: 0, sum: 0, sumSq: 0 };
  return {
    n: 0,
    ood: 0,
    reliabilitySum: 0,
    classes: new Array<number>(CLASSES).fill(0),
    facts,
    feedback: { n: 0, correct: 0, reliabilitySum: 0 },
  };
}

/** Adds (`sign` 1) or removes (`sign` -1, for a sliding count window) one observation, in place. */
export function addObservation(c: DriftCounts, o: Observation, sign: 1 | -1 = 1): DriftCounts {
  c.n += sign;
  if (o.oodFlag) c.ood += sign;
  c.reliabilitySum += sign * o.reliability;
  if (Number.isInteger(o.prediction) && o.prediction >= 0 && o.prediction < CLASSES) {
    c.classes[o.prediction] = (c.classes[o.prediction] ?? 0) + sign;
  }
  for (const f of WATCHED_FACTS) {
    const v = o.facts?.[f];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const s = c.facts[f];
    s.n += sign;
    s.sum += sign * v;
    s.sumSq += sign * v * v;
  }
  return c;
}

/** Adds one feedback label, in place. */
export function addFeedback(c: DriftCounts, f: FeedbackObservation, sign: 1 | -1 = 1): DriftCounts {
  c.feedback.n += sign;
  if (f.correct) c.feedback.correct += sign;
  c.feedback.reliabilitySum += sign * f.reliability;
  return c;
}

/** `a + b`, in place in `a`. */
export function mergeCounts(a: DriftCounts, b: DriftCounts): DriftCounts {
  a.n += b.n;
  a.ood += b.ood;
  a.reliabilitySum += b.reliabilitySum;
  for (let k = 0; k < CLASSES; k++) a.classes[k] = (a.classes[k] ?? 0) + (b.classes[k] ?? 0);
  for (const f of WATCHED_FACTS) {
    a.facts[f].n += b.facts[f].n;
    a.facts[f].sum += b.facts[f].sum;
    a.facts[f].sumSq += b.facts[f].sumSq;
  }
  a.feedback.n += b.feedback.n;
  a.feedback.correct += b.feedback.correct;
  a.feedback.reliabilitySum += b.feedback.reliabilitySum;
  return a;
}

/**
 * Counts as flat numeric fields (`n`, `ood`, `rel`, `c3`, `f:inkFraction:sum`, `fb:n`...): the fields of a Redis
 * hash bucket, incremented with HINCRBYFLOAT and summed back with {@link countsFromFields}.
 */
export function countsToFields(c: DriftCounts): Record<string, number> {
  const out: Record<string, number> = { n: c.n, ood: c.ood, rel: c.reliabilitySum };
  c.classes.forEach((v, k) => (out[`c${k}`] = v));
  for (const f of WATCHED_FACTS) {
    out[`f:${f}:n`] = c.facts[f].n;
    out[`f:${f}:sum`] = c.facts[f].sum;
    out[`f:${f}:sq`] = c.facts[f].sumSq;
  }
  out['fb:n'] = c.feedback.n;
  out['fb:correct'] = c.feedback.correct;
  out['fb:rel'] = c.feedback.reliabilitySum;
  return out;
}

/** Inverse of {@link countsToFields}; missing or malformed fields count as 0. */
export function countsFromFields(fields: Record<string, string | number | undefined>): DriftCounts {
  const num = (k: string): number => {
    const v = Number(fields[k] ?? 0);
    return Number.isFinite(v) ? v : 0;
  };
  const c = emptyCounts();
  c.n = num('n');
  c.ood = num('ood');
  c.reliabilitySum = num('rel');
  c.classes = c.classes.map((_, k) => num(`c${k}`));
  for (const f of WATCHED_FACTS) {
    c.facts[f] = { n: num(`f:${f}:n`), sum: num(`f:${f}:sum`), sumSq: num(`f:${f}:sq`) };
  }
  c.feedback = { n: num('fb:n'), correct: num('fb:correct'), reliabilitySum: num('fb:rel') };
  return c;
}
