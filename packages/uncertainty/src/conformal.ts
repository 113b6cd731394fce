/**
 * Split-conformal prediction sets with adaptive prediction sets (APS, Romano et al. 2020), randomised so that
 * coverage is exact rather than conservative. The calibration keeps every sorted score, so any alpha can be served
 * per request. Calibration inputs that the OOD gate rejects keep the score +Infinity: the set is then guaranteed to
 * cover the true digit with probability >= 1 - alpha over all digits, abstentions counted as misses.
 */
import { hashFloat32, Rng } from './prng';

/** Salt separating the conformal tie-breaking stream from the MC-dropout stream of the same input. */
const CONFORMAL_SALT = 0x5bd1e995;

/** Uniform in [0,1) for the randomised conformal set of an input: a pure function of its bytes. */
export function conformalUniform(inputs: Float32Array, offset: number, length: number): number {
  return new Rng(hashFloat32(inputs, offset, length, CONFORMAL_SALT)).uniform();
}

/** Sorted calibration scores; `abstained` of them were +Infinity (not stored). */
export interface ConformalCalibration {
  method: 'aps-randomized';
  /** Finite scores, ascending. */
  scores: number[];
  abstained: number;
}

/** Classes of a probability vector in decreasing order of probability (ties by class index). */
function order(p: ArrayLike<number>): number[] {
  return Array.from({ length: p.length }, (_, i) => i).sort((a, b) => (p[b] as number) - (p[a] as number) || a - b);
}

/** APS conformity score of the true `label`: mass of the classes ranked above it plus u times its own. */
export function apsScore(p: ArrayLike<number>, label: number, u: number): number {
  let s = 0;
  for (const c of order(p)) {
    if (c === label) return s + u * (p[c] as number);
    s += p[c] as number;
  }
  return s;
}

/** Builds the calibration from per-input scores (+Infinity for abstained inputs). */
export function calibrateConformal(scores: number[]): ConformalCalibration {
  const finite = scores.filter((s) => Number.isFinite(s)).sort((a, b) => a - b);
  return { method: 'aps-randomized', scores: finite, abstained: scores.length - finite.length };
}

/** The score threshold for miscoverage `alpha`: the ceil((n+1)(1-alpha))-th smallest score (Infinity beyond). */
export function conformalThreshold(cal: ConformalCalibration, alpha: number): number {
  const n = cal.scores.length + cal.abstained;
  const k = Math.ceil((n + 1) * (1 - alpha));
  if (k > n || k > cal.scores.length) return Infinity;
  if (k < 1) return -Infinity;
  return cal.scores[k - 1] as number;
}

/**
 * The APS set at threshold `q` with the same uniform `u` for every class: classes in decreasing probability while
 * (mass above) + u * p(class) <= q. May be empty when alpha exceeds the model's error rate: then even the top
 * class is not needed to reach 1 - alpha coverage on average.
 */
export function apsSet(p: ArrayLike<number>, q: number, u: number): number[] {
  const set: number[] = [];
  let s = 0;
  for (const c of order(p)) {
    if (s + u * (p[c] as number) > q) break;
    set.push(c);
    s += p[c] as number;
  }
  return set;
}
