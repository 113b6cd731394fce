/**
 * The drift monitor measured on streams of the worker's real results, computed in-process (the model, its
 * calibration and the uncertainty engine at the service's default parameters): false alarms on MNIST test digits,
 * requests until the alarm once the stream switches to Fashion-MNIST items or shifted digits, and estimated against
 * realised accuracy with feedback.
 */
import {
  CountWindow,
  addFeedback,
  driftStats,
  emptyCounts,
  type AlarmRule,
  type DriftReference,
  type Observation,
} from '@mserve/drift';
import type { LoadedModel } from '@mserve/model-runtime';
import type { UncertaintyEngine } from '@mserve/uncertainty';
import { expandPlanes, predictAll, Rng, type PreparedSet } from '@mserve/uncertainty/fit';

/** One assessed item: what the worker would record, and whether the answer was right (when labelled). */
export interface Assessed extends Observation {
  correct?: boolean;
}

/** The service's default request parameters (gateway MC_SAMPLES_DEFAULT and ALPHA_DEFAULT). */
export const SERVICE_PARAMS = { samples: 30, alpha: 0.05 };

/** Assesses every item of `s` as the worker does. */
export async function assessStream(model: LoadedModel, engine: UncertaintyEngine, s: PreparedSet): Promise<Assessed[]> {
  const out: Assessed[] = [];
  const chunk = 512;
  for (let start = 0; start < s.n; start += chunk) {
    const m = Math.min(chunk, s.n - start);
    const inputs = expandPlanes(s.planes.subarray(start * 784, (start + m) * 784), m, model.metadata.inputShape);
    const pred = await predictAll(model, inputs, m);
    const facts = s.facts.slice(start, start + m);
    engine.assess(pred, inputs, facts, SERVICE_PARAMS).forEach((a, j) => {
      const f = facts[j] as Record<string, number | boolean | undefined> | undefined;
      const label = s.labels?.[start + j];
      out.push({
        prediction: a.prediction,
        reliability: a.uncertainty.reliability,
        oodFlag: a.uncertainty.outOfDistribution.flag,
        facts: {
          inkFraction: f?.['inkFraction'] as number,
          outputInk: f?.['outputInk'] as number,
          strokeWidth: f?.['strokeWidth'] as number,
          bboxAspect: f?.['bboxAspect'] as number,
          bboxFill: f?.['bboxFill'] as number,
        },
        ...(label !== undefined ? { correct: a.prediction === label } : {}),
      });
    });
  }
  return out;
}

/** Fisher–Yates shuffle with a seeded generator. */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const rng = new Rng(seed);
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/** Alarm windows of an in-distribution stream. */
export interface FalseAlarmRun {
  requests: number;
  /** Windows judged (one per request once the window holds `minCount` requests). */
  windows: number;
  alarms: number;
  maxScore: number;
  maxScoreDriver: string;
  /** Largest input-facts score (reported, never alarmed on). */
  maxInputScore: number;
}

/** Streams `items` through a sliding window of `size` and counts the windows that alarm. */
export function falseAlarms(
  items: readonly Observation[],
  ref: DriftReference,
  rule: AlarmRule,
  size: number,
): FalseAlarmRun {
  const w = new CountWindow(size);
  let windows = 0;
  let alarms = 0;
  let maxScore = -Infinity;
  let maxScoreDriver = '';
  let maxInputScore = 0;
  for (const o of items) {
    const s = driftStats(w.push(o), ref, rule);
    if (s.n < rule.minCount) continue;
    windows++;
    if (s.alarm) alarms++;
    if (s.score > maxScore) [maxScore, maxScoreDriver] = [s.score, s.driver];
    maxInputScore = Math.max(maxInputScore, s.inputScore);
  }
  return { requests: items.length, windows, alarms, maxScore, maxScoreDriver, maxInputScore };
}

/**
 * Requests after the switch until the first alarm: the window first fills with `before` (in-distribution), then
 * takes `after` one by one. `null` when it never alarms within `after`.
 */
export function requestsUntilAlarm(
  before: readonly Observation[],
  after: readonly Observation[],
  ref: DriftReference,
  rule: AlarmRule,
  size: number,
): { requests: number | null; driver: string | null } {
  const w = new CountWindow(size);
  for (const o of before) w.push(o);
  for (let i = 0; i < after.length; i++) {
    const s = driftStats(w.push(after[i] as Observation), ref, rule);
    if (s.alarm) return { requests: i + 1, driver: s.driver };
  }
  return { requests: null, driver: null };
}

/** Estimated (mean reliability) against realised accuracy over items given feedback. */
export function feedbackAgreement(
  items: readonly Assessed[],
  ref: DriftReference,
): {
  n: number;
  estimatedAccuracy: number;
  realisedAccuracy: number;
  gap: number;
} {
  const c = emptyCounts();
  for (const o of items) addFeedback(c, { correct: o.correct === true, reliability: o.reliability });
  const fb = driftStats(c, ref).feedback;
  const est = fb.estimatedAccuracy ?? NaN;
  const real = fb.realisedAccuracy ?? NaN;
  return { n: c.feedback.n, estimatedAccuracy: est, realisedAccuracy: real, gap: Math.abs(est - real) };
}

/** Median of finite values (null when there are none). */
export function median(xs: readonly (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? (v[m] as number) : ((v[m - 1] as number) + (v[m] as number)) / 2;
}
