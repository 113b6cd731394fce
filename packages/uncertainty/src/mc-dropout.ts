/**
 * Monte-Carlo dropout when the dropout sits right before the last Dense layer (native, or injected at test time).
 *
 * Given the features x (the Dense input with dropout off), the sampled logits are z = W'(m .* x)/(1-p) + b with
 * m_i ~ Bernoulli(1-p): a sum of independent terms with mean W'x + b and covariance
 * p/(1-p) * sum_i x_i^2 w_i w_i' (w_i = row i of the kernel). The fast path computes that mean and covariance in
 * one pass over the non-zero features and draws the T samples in the k-dimensional logit space from the Gaussian
 * with those moments. Gaussian rather than exact: exact sampling of the Bernoulli sum costs T * nnz * k, i.e. it is
 * the brute-force path itself; the sum has hundreds of non-zero terms for MNIST-like inputs, so the central limit
 * theorem applies, and the tests bound the difference in entropy and mutual information against brute force.
 */
import { drawPairs, fastMcScratch, NORMAL_ROWS, type FastMcScratch } from './mc-pairs';
import { Rng } from './prng';

export { fastMcScratch, NORMAL_ROWS, normalTable } from './mc-pairs';
export type { FastMcScratch } from './mc-pairs';

/** Summary of T predictive samples of one input. */
export interface McSummary {
  /** Mean of the sampled probability vectors (the predictive distribution). */
  mean: Float64Array;
  /** Entropy of the mean, nats. */
  entropy: number;
  /** Mean entropy of the samples, nats. */
  expectedEntropy: number;
  /** entropy - expectedEntropy (>= 0 up to rounding): the epistemic part. */
  mutualInformation: number;
  /** Per-class variance of the sampled probabilities. */
  perClassVariance: Float64Array;
}

/** Last Dense layer weights as the uncertainty engine needs them. */
export interface DenseWeights {
  kernel: Float32Array;
  bias: Float32Array;
  inDim: number;
  outDim: number;
}

/** Precomputed packed outer products w_i w_i' (upper triangle) of every kernel row, reused for every input. */
export class DropoutCovariance {
  readonly k: number;
  readonly tri: number;
  private readonly outer: Float64Array;

  constructor(readonly dense: DenseWeights) {
    const k = dense.outDim;
    this.k = k;
    this.tri = (k * (k + 1)) / 2;
    this.outer = new Float64Array(dense.inDim * this.tri);
    for (let i = 0; i < dense.inDim; i++) {
      let t = i * this.tri;
      for (let a = 0; a < k; a++) {
        const wa = dense.kernel[i * k + a] as number;
        for (let b = a; b < k; b++) this.outer[t++] = wa * (dense.kernel[i * k + b] as number);
      }
    }
  }

  /** Packed upper triangle of sum_i x_i^2 w_i w_i' * factor for the feature row at `off`. */
  covariance(x: Float32Array, off: number, factor: number, out: Float64Array): void {
    out.fill(0);
    const tri = this.tri;
    const d = this.dense.inDim;
    const outer = this.outer;
    for (let i = 0; i < d; i++) {
      const xi = x[off + i] as number;
      if (xi === 0) continue;
      const s = xi * xi * factor;
      const base = i * tri;
      for (let t = 0; t < tri; t++) out[t] = out[t]! + s * outer[base + t]!;
    }
  }
}

/** Cholesky of a packed-upper-triangular k x k covariance into a dense lower factor; tiny jitter keeps it PD. */
function packedCholesky(cov: Float64Array, k: number, L: Float64Array): void {
  const at = (a: number, b: number): number => {
    const i = Math.min(a, b);
    const j = Math.max(a, b);
    return cov[i * k - (i * (i - 1)) / 2 + (j - i)] as number;
  };
  let trace = 0;
  for (let i = 0; i < k; i++) trace += at(i, i);
  const jitter = 1e-9 * (trace / k) + 1e-12;
  L.fill(0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = at(i, j) + (i === j ? jitter : 0);
      for (let m = 0; m < j; m++) s -= (L[i * k + m] as number) * (L[j * k + m] as number);
      if (i === j) L[i * k + i] = Math.sqrt(Math.max(s, 0));
      else {
        const djj = L[j * k + j] as number;
        L[i * k + j] = djj > 0 ? s / djj : 0;
      }
    }
  }
}

/** Accumulates per-sample probability vectors into an {@link McSummary}. */
class SampleAccumulator {
  readonly sum: Float64Array;
  readonly sumSq: Float64Array;
  readonly p: Float64Array;
  entropySum = 0;
  count = 0;

  constructor(private readonly k: number) {
    this.sum = new Float64Array(k);
    this.sumSq = new Float64Array(k);
    this.p = new Float64Array(k);
  }

  /** Adds the sample with logits z[off..off+k). */
  addLogits(z: ArrayLike<number>, off: number): void {
    const k = this.k;
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, z[off + j] as number);
    let s = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp((z[off + j] as number) - m);
      this.p[j] = e;
      s += e;
    }
    const lse = m + Math.log(s);
    let pz = 0;
    for (let j = 0; j < k; j++) {
      const pj = (this.p[j] as number) / s;
      pz += pj * (z[off + j] as number);
      this.sum[j] = (this.sum[j] as number) + pj;
      this.sumSq[j] = (this.sumSq[j] as number) + pj * pj;
    }
    this.entropySum += lse - pz;
    this.count++;
  }

  /** Adds a sample given as probabilities p[off..off+k). */
  addProbabilities(p: ArrayLike<number>, off: number): void {
    let h = 0;
    for (let j = 0; j < this.k; j++) {
      const pj = p[off + j] as number;
      if (pj > 0) h -= pj * Math.log(pj);
      this.sum[j] = (this.sum[j] as number) + pj;
      this.sumSq[j] = (this.sumSq[j] as number) + pj * pj;
    }
    this.entropySum += h;
    this.count++;
  }

  summary(): McSummary {
    const k = this.k;
    const T = Math.max(1, this.count);
    const mean = new Float64Array(k);
    const perClassVariance = new Float64Array(k);
    let h = 0;
    for (let j = 0; j < k; j++) {
      const mj = (this.sum[j] as number) / T;
      mean[j] = mj;
      perClassVariance[j] = Math.max(0, (this.sumSq[j] as number) / T - mj * mj);
      if (mj > 0) h -= mj * Math.log(mj);
    }
    const expectedEntropy = this.entropySum / T;
    return { mean, entropy: h, expectedEntropy, mutualInformation: Math.max(0, h - expectedEntropy), perClassVariance };
  }
}

/**
 * Fast path: T Gaussian draws of the dropout logits of one input. `logits` holds the deterministic logits W'x+b
 * (the mean). Draws come in antithetic pairs (eps, -eps), which halves the draws and the variance of the mean
 * estimate. T = 1 returns the deterministic softmax.
 */
export function fastMcDropout(
  cov: DropoutCovariance,
  features: Float32Array,
  featureOff: number,
  logits: ArrayLike<number>,
  logitOff: number,
  rate: number,
  T: number,
  rng: Rng,
  scratch: FastMcScratch = fastMcScratch(cov.k),
): McSummary {
  const k = cov.k;
  if (T <= 1 || rate <= 0) {
    const acc = new SampleAccumulator(k);
    acc.addLogits(logits, logitOff);
    return acc.summary();
  }
  cov.covariance(features, featureOff, rate / (1 - rate), scratch.cov);
  packedCholesky(scratch.cov, k, scratch.L);
  const { e, l } = scratch;
  const sum = new Float64Array(k);
  const sumSq = new Float64Array(k);
  let lmax = -Infinity;
  for (let j = 0; j < k; j++) {
    l[j] = logits[logitOff + j] as number;
    lmax = Math.max(lmax, l[j]!);
  }
  for (let j = 0; j < k; j++) e[j] = Math.exp(l[j]! - lmax);
  const entropySum = drawPairs(scratch, rng.nextU32() % NORMAL_ROWS, T, lmax, sum, sumSq);
  let h = 0;
  for (let j = 0; j < k; j++) {
    const mj = (sum[j] as number) / T;
    sumSq[j] = Math.max(0, (sumSq[j] as number) / T - mj * mj);
    sum[j] = mj;
    if (mj > 0) h -= mj * Math.log(mj);
  }
  const expectedEntropy = entropySum / T;
  return {
    mean: sum,
    entropy: h,
    expectedEntropy,
    mutualInformation: Math.max(0, h - expectedEntropy),
    perClassVariance: sumSq,
  };
}

/**
 * Brute force with injected dropout: T explicit Bernoulli masks on the features, each pushed through the last
 * Dense layer. Exact in distribution; costs T * nnz * k per input.
 */
export function bruteForceInjected(
  dense: DenseWeights,
  features: Float32Array,
  featureOff: number,
  rate: number,
  T: number,
  rng: Rng,
): McSummary {
  const k = dense.outDim;
  const d = dense.inDim;
  const acc = new SampleAccumulator(k);
  const z = new Float64Array(k);
  const keepScale = 1 / (1 - rate);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < k; j++) z[j] = dense.bias[j] as number;
    for (let i = 0; i < d; i++) {
      const xi = features[featureOff + i] as number;
      if (xi === 0 || rng.uniform() < rate) continue;
      const s = xi * keepScale;
      for (let j = 0; j < k; j++) z[j] = (z[j] as number) + s * (dense.kernel[i * k + j] as number);
    }
    acc.addLogits(z, 0);
  }
  return acc.summary();
}

/** Summary of T sampled probability vectors of one input, e.g. from T native `predict({dropout: true})` passes. */
export function summarizeProbabilitySamples(samples: ArrayLike<number>[], off: number, k: number): McSummary {
  const acc = new SampleAccumulator(k);
  for (const s of samples) acc.addProbabilities(s, off);
  return acc.summary();
}
