/**
 * Class-conditional Gaussian density of the model input (grey levels, channels averaged), fitted on training
 * digits. The input is projected on its top-K principal components; inside that subspace each class is a Gaussian
 * with a shared Ledoit–Wolf shrinkage covariance, outside it the residual is isotropic with variance sigma2
 * (probabilistic PCA). The OOD distance of x is min_c Mahalanobis(z, mu_c) + residual/sigma2, i.e. the Mahalanobis
 * distance under the covariance V S V' + sigma2 (I - V V') of the nearest class.
 *
 * A second, sharper view uses per-class shrinkage covariances on the first `qdaDim` components (quadratic
 * discriminant): its posterior for the model's predicted class is an independent opinion about that answer, the
 * strongest single signal of a linear model's mistakes.
 */
import { cholesky, cholLogDet, invertLower, symmetricEigen } from './linalg';

/** Fitted density, stored in the calibration artifact (arrays row-major). */
export interface GaussianModel {
  dim: number;
  pcaDim: number;
  qdaDim: number;
  classes: number;
  mean: Float32Array;
  /** dim x pcaDim, orthonormal columns. */
  basis: Float32Array;
  sigma2: number;
  /** classes x pcaDim class means in PCA coordinates. */
  classMeans: Float32Array;
  /** pcaDim x pcaDim lower-triangular inverse Cholesky factor of the shared covariance. */
  sharedWhitener: Float32Array;
  /** classes x qdaDim x qdaDim inverse Cholesky factors of the per-class covariances. */
  classWhiteners: Float32Array;
  /** Per class: log prior - 0.5 log det(covariance). */
  classOffsets: Float32Array;
  shrinkage: { shared: number; perClass: number[] };
}

/** Grey-level density input of one model input: averages the channels when the shape ends with 3 channels. */
export function densityInput(
  inputs: Float32Array,
  index: number,
  inputShape: number[],
  out?: Float32Array,
): Float32Array {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const channels = inputShape.length >= 3 ? (inputShape[inputShape.length - 1] as number) : 1;
  const dim = size / channels;
  const res = out ?? new Float32Array(dim);
  const off = index * size;
  if (channels === 1) {
    res.set(inputs.subarray(off, off + dim));
    return res;
  }
  for (let i = 0; i < dim; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += inputs[off + i * channels + c] as number;
    res[i] = s / channels;
  }
  return res;
}

/** Ledoit–Wolf shrinkage of a covariance towards a scaled identity, from centred rows. */
export function ledoitWolf(rows: Float64Array[], p: number): { cov: Float64Array; shrinkage: number } {
  const n = rows.length;
  const S = new Float64Array(p * p);
  let sumNorm4 = 0;
  for (const r of rows) {
    let nr = 0;
    for (let i = 0; i < p; i++) {
      const ri = r[i] as number;
      nr += ri * ri;
      if (ri === 0) continue;
      for (let j = 0; j <= i; j++) S[i * p + j] = (S[i * p + j] as number) + ri * (r[j] as number);
    }
    sumNorm4 += nr * nr;
  }
  let tr = 0;
  let fro = 0;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      const v = (S[i * p + j] as number) / n;
      S[i * p + j] = v;
      S[j * p + i] = v;
      fro += i === j ? v * v : 2 * v * v;
    }
    tr += S[i * p + i] as number;
  }
  const mu = tr / p;
  const d2 = fro - 2 * mu * tr + mu * mu * p;
  // sum_n ||r r' - S||_F^2 = sum ||r||^4 - n ||S||_F^2
  const b2 = Math.max(0, (sumNorm4 - n * fro) / (n * n));
  const shrinkage = d2 > 0 ? Math.min(1, b2 / d2) : 1;
  const cov = new Float64Array(p * p);
  for (let i = 0; i < p * p; i++) cov[i] = (1 - shrinkage) * (S[i] as number);
  for (let i = 0; i < p; i++) cov[i * p + i] = (cov[i * p + i] as number) + shrinkage * mu;
  return { cov, shrinkage };
}

/**
 * Fits the density on `n` grey-level rows of length `dim` (Float32Array, row-major) with labels in [0, classes).
 */
export function fitGaussian(
  rows: Float32Array,
  labels: ArrayLike<number>,
  n: number,
  dim: number,
  classes: number,
  opts: { pcaDim?: number; qdaDim?: number } = {},
): GaussianModel {
  const K = Math.min(opts.pcaDim ?? 150, dim - 1);
  const Kq = Math.min(opts.qdaDim ?? 60, K);
  const mean = new Float64Array(dim);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < dim; i++) mean[i] = (mean[i] as number) + (rows[r * dim + i] as number);
  for (let i = 0; i < dim; i++) mean[i] = (mean[i] as number) / n;
  // Second moment over the non-zero pixels only: digits are ~80% background, which makes this ~25x cheaper.
  const M = new Float64Array(dim * dim);
  const nz = new Int32Array(dim);
  for (let r = 0; r < n; r++) {
    let cnt = 0;
    const off = r * dim;
    for (let i = 0; i < dim; i++) if ((rows[off + i] as number) !== 0) nz[cnt++] = i;
    for (let a = 0; a < cnt; a++) {
      const i = nz[a] as number;
      const xi = rows[off + i] as number;
      const base = i * dim;
      for (let b = 0; b <= a; b++) {
        const j = nz[b] as number;
        M[base + j] = (M[base + j] as number) + xi * (rows[off + j] as number);
      }
    }
  }
  const C = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      const v = (M[i * dim + j] as number) / n - (mean[i] as number) * (mean[j] as number);
      C[i * dim + j] = v;
      C[j * dim + i] = v;
    }
  }
  const { values, vectors } = symmetricEigen(C, dim);
  let total = 0;
  for (let i = 0; i < dim; i++) total += Math.max(0, values[i] as number);
  let top = 0;
  for (let i = 0; i < K; i++) top += Math.max(0, values[i] as number);
  const sigma2 = Math.max((total - top) / (dim - K), 1e-8);
  const basis = new Float32Array(dim * K);
  for (let i = 0; i < dim; i++) for (let k = 0; k < K; k++) basis[i * K + k] = vectors[i * dim + k] as number;

  const proj = new PcaProjector(Float32Array.from(mean), basis, dim, K);
  const Z: Float64Array[] = [];
  const z = new Float64Array(K);
  for (let r = 0; r < n; r++) {
    proj.project(rows, r * dim, z);
    Z.push(Float64Array.from(z));
  }
  const counts = new Float64Array(classes);
  const classMeans = new Float64Array(classes * K);
  for (let r = 0; r < n; r++) {
    const c = labels[r] as number;
    counts[c] = (counts[c] as number) + 1;
    const zr = Z[r] as Float64Array;
    for (let k = 0; k < K; k++) classMeans[c * K + k] = (classMeans[c * K + k] as number) + (zr[k] as number);
  }
  for (let c = 0; c < classes; c++)
    for (let k = 0; k < K; k++)
      classMeans[c * K + k] = (classMeans[c * K + k] as number) / Math.max(1, counts[c] as number);
  const centred = Z.map((zr, r) => {
    const c = labels[r] as number;
    return zr.map((v, k) => v - (classMeans[c * K + k] as number));
  });
  const shared = ledoitWolf(centred, K);
  const sharedWhitener = Float32Array.from(invertLower(cholesky(shared.cov, K), K));

  const classWhiteners = new Float32Array(classes * Kq * Kq);
  const classOffsets = new Float32Array(classes);
  const perClass: number[] = [];
  for (let c = 0; c < classes; c++) {
    const rowsC = centred.filter((_, r) => labels[r] === c).map((v) => v.subarray(0, Kq));
    const lw = ledoitWolf(rowsC, Kq);
    perClass.push(lw.shrinkage);
    const L = cholesky(lw.cov, Kq);
    classWhiteners.set(invertLower(L, Kq), c * Kq * Kq);
    classOffsets[c] = Math.log(Math.max(1, counts[c] as number) / n) - 0.5 * cholLogDet(L, Kq);
  }
  return {
    dim,
    pcaDim: K,
    qdaDim: Kq,
    classes,
    mean: Float32Array.from(mean),
    basis,
    sigma2,
    classMeans: Float32Array.from(classMeans),
    sharedWhitener,
    classWhiteners,
    classOffsets,
    shrinkage: { shared: shared.shrinkage, perClass },
  };
}

/** Sparse-aware projection onto the PCA basis. */
export class PcaProjector {
  private readonly meanProj: Float64Array;
  private readonly meanNorm2: number;

  constructor(
    private readonly mean: Float32Array,
    private readonly basis: Float32Array,
    private readonly dim: number,
    private readonly K: number,
  ) {
    this.meanProj = new Float64Array(K);
    let mn = 0;
    for (let i = 0; i < dim; i++) {
      const mi = mean[i] as number;
      mn += mi * mi;
      if (mi === 0) continue;
      for (let k = 0; k < K; k++) this.meanProj[k] = (this.meanProj[k] as number) + mi * (basis[i * K + k] as number);
    }
    this.meanNorm2 = mn;
  }

  /** z = V'(x - mean); returns ||x - mean||^2. */
  project(x: Float32Array, off: number, z: Float64Array): number {
    // Typed arrays in locals: property loads inside the 784 x K loop are what V8 cannot hoist by itself.
    const K = this.K;
    const dim = this.dim;
    const basis = this.basis;
    const mean = this.mean;
    const meanProj = this.meanProj;
    for (let k = 0; k < K; k++) z[k] = -meanProj[k]!;
    let xx = 0;
    let xm = 0;
    for (let i = 0; i < dim; i++) {
      const xi = x[off + i]!;
      if (xi === 0) continue;
      xx += xi * xi;
      xm += xi * mean[i]!;
      const base = i * K;
      for (let k = 0; k < K; k++) z[k] = z[k]! + xi * basis[base + k]!;
    }
    return xx - 2 * xm + this.meanNorm2;
  }
}

/** Per-input density scores. */
export interface DensityScores {
  /** Shared-covariance Mahalanobis distance (PCA part) to each class. */
  mahalanobis: Float64Array;
  /** Out-of-subspace residual / sigma2. */
  residual: number;
  /** min_c mahalanobis + residual: the OOD distance. */
  distance: number;
  /** Per-class log posterior of the quadratic discriminant. */
  qdaLogPosterior: Float64Array;
  /** The first {@link SHAPE_PCS} principal-component coordinates (the digit/non-digit shape discriminant's input). */
  pcs: Float64Array;
}

/** How many leading principal components the shape discriminant reads. */
export const SHAPE_PCS = 40;

/** Scores inputs against a fitted {@link GaussianModel}; reuse one instance (it holds scratch buffers). */
export class GaussianScorer {
  private readonly proj: PcaProjector;
  private readonly whitenedMeans: Float64Array;
  private readonly z: Float64Array;
  private readonly w: Float64Array;
  private readonly diff: Float64Array;

  constructor(readonly model: GaussianModel) {
    const { pcaDim: K, classes } = model;
    this.proj = new PcaProjector(model.mean, model.basis, model.dim, K);
    this.z = new Float64Array(K);
    this.w = new Float64Array(K);
    this.diff = new Float64Array(model.qdaDim);
    this.whitenedMeans = new Float64Array(classes * K);
    for (let c = 0; c < classes; c++) {
      this.whiten(model.classMeans.subarray(c * K, c * K + K), this.w);
      this.whitenedMeans.set(this.w, c * K);
    }
  }

  private whiten(z: ArrayLike<number>, out: Float64Array): void {
    const K = this.model.pcaDim;
    const A = this.model.sharedWhitener;
    for (let i = 0; i < K; i++) {
      let s = 0;
      const base = i * K;
      for (let j = 0; j <= i; j++) s += A[base + j]! * (z[j] as number);
      out[i] = s;
    }
  }

  /** Scores the grey-level row at `x[off..off+dim)`. */
  score(x: Float32Array, off = 0): DensityScores {
    const { pcaDim: K, qdaDim: Kq, classes, sigma2, classMeans, classWhiteners: A, classOffsets } = this.model;
    const z = this.z;
    const w = this.w;
    const wm = this.whitenedMeans;
    const diff = this.diff;
    const norm2 = this.proj.project(x, off, z);
    let zz = 0;
    for (let k = 0; k < K; k++) zz += z[k]! ** 2;
    const residual = Math.max(0, norm2 - zz) / sigma2;
    this.whiten(z, w);
    const mahalanobis = new Float64Array(classes);
    let dmin = Infinity;
    for (let c = 0; c < classes; c++) {
      let d = 0;
      const base = c * K;
      for (let k = 0; k < K; k++) d += (w[k]! - wm[base + k]!) ** 2;
      mahalanobis[c] = d;
      dmin = Math.min(dmin, d);
    }
    const logits = new Float64Array(classes);
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      for (let k = 0; k < Kq; k++) diff[k] = z[k]! - classMeans[c * K + k]!;
      const base = c * Kq * Kq;
      let q = 0;
      for (let i = 0; i < Kq; i++) {
        let s = 0;
        const row = base + i * Kq;
        for (let j = 0; j <= i; j++) s += A[row + j]! * diff[j]!;
        q += s * s;
      }
      const l = classOffsets[c]! - 0.5 * q;
      logits[c] = l;
      max = Math.max(max, l);
    }
    let s = 0;
    for (let c = 0; c < classes; c++) s += Math.exp((logits[c] as number) - max);
    const lse = max + Math.log(s);
    for (let c = 0; c < classes; c++) logits[c] = (logits[c] as number) - lse;
    return {
      mahalanobis,
      residual,
      distance: dmin + residual,
      qdaLogPosterior: logits,
      pcs: z.slice(0, Math.min(SHAPE_PCS, K)),
    };
  }
}
