/** Small statistics used by calibration and evaluation: entropy, AUROC, ECE, logistic and isotonic fits. */

/** Shannon entropy (nats) of a probability vector. */
export function entropy(p: ArrayLike<number>, off = 0, k = p.length): number {
  let h = 0;
  for (let j = 0; j < k; j++) {
    const v = p[off + j] as number;
    if (v > 0) h -= v * Math.log(v);
  }
  return h;
}

/**
 * Area under the ROC curve: probability that a random positive scores above a random negative (ties count half).
 * Higher score = more positive.
 */
export function auroc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  const np = positives.length;
  const nn = negatives.length;
  if (np === 0 || nn === 0) return NaN;
  const all: { v: number; pos: boolean }[] = [];
  for (let i = 0; i < np; i++) all.push({ v: positives[i] as number, pos: true });
  for (let i = 0; i < nn; i++) all.push({ v: negatives[i] as number, pos: false });
  all.sort((a, b) => a.v - b.v);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && (all[j] as { v: number }).v === (all[i] as { v: number }).v) j++;
    const avg = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if ((all[k] as { pos: boolean }).pos) rankSum += avg;
    i = j;
  }
  return (rankSum - (np * (np + 1)) / 2) / (np * nn);
}

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  meanScore: number;
  accuracy: number;
}

/** Equal-width reliability bins of `scores` (predicted P(correct)) against 0/1 `labels`. */
export function reliabilityBins(scores: ArrayLike<number>, labels: ArrayLike<number>, bins = 15): ReliabilityBin[] {
  const cnt = new Float64Array(bins);
  const sum = new Float64Array(bins);
  const acc = new Float64Array(bins);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(s * bins)));
    cnt[b] = (cnt[b] as number) + 1;
    sum[b] = (sum[b] as number) + s;
    acc[b] = (acc[b] as number) + (labels[i] as number);
  }
  return Array.from(cnt, (c, b) => ({
    lo: b / bins,
    hi: (b + 1) / bins,
    count: c,
    meanScore: c > 0 ? (sum[b] as number) / c : NaN,
    accuracy: c > 0 ? (acc[b] as number) / c : NaN,
  }));
}

/** Expected calibration error with equal-width bins (15 by default). */
export function ece(scores: ArrayLike<number>, labels: ArrayLike<number>, bins = 15): number {
  const n = scores.length;
  let e = 0;
  for (const b of reliabilityBins(scores, labels, bins)) {
    if (b.count > 0) e += (b.count / n) * Math.abs(b.meanScore - b.accuracy);
  }
  return e;
}

/** Standardised logistic regression: p = sigmoid(w . ((x - mean) / scale) + bias). */
export interface LogisticModel {
  features: string[];
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

/** Logistic sigmoid. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Linear predictor (log-odds) of a logistic model for one feature vector. */
export function logisticLogit(m: LogisticModel, x: ArrayLike<number>): number {
  let z = m.bias;
  for (let j = 0; j < m.weights.length; j++) {
    z += (m.weights[j] as number) * (((x[j] as number) - (m.mean[j] as number)) / (m.scale[j] as number));
  }
  return z;
}

/**
 * L2-regularised (not the bias) logistic regression by Newton's method on standardised features. `X` is n rows of
 * d features; `w` optional per-row weights.
 */
export function fitLogistic(
  names: string[],
  X: number[][],
  y: ArrayLike<number>,
  opts: { l2?: number; weights?: ArrayLike<number>; iterations?: number } = {},
): LogisticModel {
  const n = X.length;
  const d = names.length;
  const l2 = opts.l2 ?? 1e-2;
  const rw = (i: number): number => (opts.weights ? (opts.weights[i] as number) : 1);
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    wsum += rw(i);
    for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + rw(i) * ((X[i] as number[])[j] as number);
  }
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / wsum;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = ((X[i] as number[])[j] as number) - (mean[j] as number);
      scale[j] = (scale[j] as number) + rw(i) * v * v;
    }
  }
  for (let j = 0; j < d; j++) scale[j] = Math.sqrt((scale[j] as number) / wsum) || 1;
  const D = d + 1;
  const beta = new Float64Array(D);
  const row = new Float64Array(D);
  for (let it = 0; it < (opts.iterations ?? 50); it++) {
    const g = new Float64Array(D);
    const H = new Float64Array(D * D);
    for (let i = 0; i < n; i++) {
      const xi = X[i] as number[];
      for (let j = 0; j < d; j++) row[j] = ((xi[j] as number) - (mean[j] as number)) / (scale[j] as number);
      row[d] = 1;
      let z = 0;
      for (let j = 0; j < D; j++) z += (beta[j] as number) * (row[j] as number);
      const p = sigmoid(z);
      const r = rw(i) * (p - (y[i] as number));
      const h = rw(i) * Math.max(p * (1 - p), 1e-12);
      for (let j = 0; j < D; j++) {
        g[j] = (g[j] as number) + r * (row[j] as number);
        for (let k = 0; k <= j; k++)
          H[j * D + k] = (H[j * D + k] as number) + h * (row[j] as number) * (row[k] as number);
      }
    }
    for (let j = 0; j < d; j++) {
      g[j] = (g[j] as number) + 2 * l2 * (beta[j] as number);
      H[j * D + j] = (H[j * D + j] as number) + 2 * l2;
    }
    const step = solveSymmetric(H, g, D);
    let norm = 0;
    for (let j = 0; j < D; j++) {
      beta[j] = (beta[j] as number) - (step[j] as number);
      norm += (step[j] as number) ** 2;
    }
    if (norm < 1e-14) break;
  }
  return { features: names, mean, scale, weights: Array.from(beta.subarray(0, d)), bias: beta[d] as number };
}

/** Solves H x = g for symmetric positive-definite H given by its lower triangle. */
function solveSymmetric(H: Float64Array, g: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) H[i * n + j] = H[j * n + i] as number;
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = H[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (L[i * n + k] as number) * (L[j * n + k] as number);
      L[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / (L[j * n + j] as number);
    }
  }
  const yv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = g[i] as number;
    for (let k = 0; k < i; k++) s -= (L[i * n + k] as number) * (yv[k] as number);
    yv[i] = s / (L[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = yv[i] as number;
    for (let k = i + 1; k < n; k++) s -= (L[k * n + i] as number) * (x[k] as number);
    x[i] = s / (L[i * n + i] as number);
  }
  return x;
}

/** Monotone step function from isotonic regression: value at x is `y` of the last knot with `x` <= x. */
export interface IsotonicModel {
  x: number[];
  y: number[];
}

/**
 * Isotonic (non-decreasing) regression of 0/1 or real `y` on `x` by pool-adjacent-violators, returned as knots
 * interpolated linearly between block centres.
 */
export function fitIsotonic(x: ArrayLike<number>, y: ArrayLike<number>, weights?: ArrayLike<number>): IsotonicModel {
  const idx = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => (x[a] as number) - (x[b] as number));
  const bx: number[] = [];
  const by: number[] = [];
  const bw: number[] = [];
  for (const i of idx) {
    const w = weights ? (weights[i] as number) : 1;
    bx.push((x[i] as number) * w);
    by.push((y[i] as number) * w);
    bw.push(w);
    while (
      by.length > 1 &&
      (by[by.length - 2] as number) / (bw[bw.length - 2] as number) >=
        (by[by.length - 1] as number) / (bw[bw.length - 1] as number)
    ) {
      const w2 = bw.pop() as number;
      const y2 = by.pop() as number;
      const x2 = bx.pop() as number;
      bw[bw.length - 1] = (bw[bw.length - 1] as number) + w2;
      by[by.length - 1] = (by[by.length - 1] as number) + y2;
      bx[bx.length - 1] = (bx[bx.length - 1] as number) + x2;
    }
  }
  return { x: bx.map((v, i) => v / (bw[i] as number)), y: by.map((v, i) => v / (bw[i] as number)) };
}

/** Evaluates an isotonic model with linear interpolation between block centres (flat beyond the ends). */
export function isotonicAt(m: IsotonicModel, v: number): number {
  const n = m.x.length;
  if (n === 0) return NaN;
  // Below the first knot fall linearly to 0 at score 0 instead of flat: keeps the map strictly increasing there,
  // so the least reliable inputs (often non-digits) stay ranked instead of tied.
  if (v <= (m.x[0] as number))
    return (m.x[0] as number) > 0 ? ((m.y[0] as number) * Math.max(0, v)) / (m.x[0] as number) : (m.y[0] as number);
  if (v >= (m.x[n - 1] as number)) return m.y[n - 1] as number;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((m.x[mid] as number) <= v) lo = mid;
    else hi = mid;
  }
  const x0 = m.x[lo] as number;
  const x1 = m.x[hi] as number;
  const t = x1 > x0 ? (v - x0) / (x1 - x0) : 0;
  return (m.y[lo] as number) + t * ((m.y[hi] as number) - (m.y[lo] as number));
}

/** The q-quantile (0..1) of a sorted array by the "higher" rule used by split conformal prediction. */
export function sortedQuantileHigher(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const k = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[k] as number;
}
