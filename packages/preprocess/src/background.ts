import type { Plane } from './resample';
import { percentile } from './stats';

/** Paper level as a smooth surface over the image, and the noise around it. */
export interface Background {
  /** Paper luminance at each pixel. */
  level: Float32Array;
  /** Median paper luminance over the border. */
  median: number;
  /** Robust standard deviation of the border around the surface. */
  sigma: number;
}

/** Border samples used for the fit, at most (subsampled evenly beyond that). */
const MAX_SAMPLES = 1500;
const TERMS = 6;

function basis(u: number, v: number, out: Float64Array): void {
  out[0] = 1;
  out[1] = u;
  out[2] = v;
  out[3] = u * u;
  out[4] = v * v;
  out[5] = u * v;
}

/** Solves the small symmetric system A x = b by Gaussian elimination with partial pivoting; null if singular. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]!) > Math.abs(m[p * n + c]!)) p = r;
    if (Math.abs(m[p * n + c]!) < 1e-9) return null;
    if (p !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[p * n + k]] = [m[p * n + k]!, m[c * n + k]!];
      [x[c], x[p]] = [x[p]!, x[c]!];
    }
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c]! / m[c * n + c]!;
      for (let k = c; k < n; k++) m[r * n + k]! -= f * m[c * n + k]!;
      x[r]! -= f * x[c]!;
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c]!;
    for (let k = c + 1; k < n; k++) s -= m[c * n + k]! * x[k]!;
    x[c] = s / m[c * n + c]!;
  }
  return x;
}

/** Design matrices of recent rings (a ring is cached per image size, so it identifies the size): read-only. */
const designs = new WeakMap<Int32Array, { width: number; height: number; phi: Float64Array }>();

/** The basis terms of every sampled border pixel, one row of {@link TERMS} per sample; depends on the size only. */
function designMatrix(
  ring: Int32Array,
  width: number,
  height: number,
  stride: number,
  count: number,
  toU: (x: number) => number,
  toV: (y: number) => number,
): Float64Array {
  const cached = designs.get(ring);
  if (cached && cached.width === width && cached.height === height && cached.phi.length === count * TERMS) {
    return cached.phi;
  }
  const phi = new Float64Array(count * TERMS);
  const row = new Float64Array(TERMS);
  for (let j = 0, k = 0; k < ring.length; k += stride, j++) {
    const i = ring[k]!;
    const x = i % width;
    const y = (i - x) / width;
    basis(toU(x), toV(y), row);
    for (let t = 0; t < TERMS; t++) phi[j * TERMS + t] = row[t]!;
  }
  designs.set(ring, { width, height, phi });
  return phi;
}

/**
 * Models the paper under uneven lighting (phone photos: a light fall-off across the sheet, vignetting) as a
 * quadratic surface fitted to the image border, where there is paper, by least squares repeated on the samples
 * that fit (ink or clutter touching the border is rejected as outliers). On evenly lit paper this reduces to the
 * border median. The surface is then the reference that ink stands out from, instead of one global paper level.
 */
export function fitBackground(luma: Plane, ring: Int32Array): Background {
  const { data: L, width, height } = luma;
  const stride = Math.max(1, Math.floor(ring.length / MAX_SAMPLES));
  const count = Math.ceil(ring.length / stride);
  const ys = new Float32Array(count);
  // Design matrix, one row of basis terms per sample, computed once.
  const toU = (x: number): number => (width > 1 ? (2 * x) / (width - 1) - 1 : 0);
  const toV = (y: number): number => (height > 1 ? (2 * y) / (height - 1) - 1 : 0);
  const phi = designMatrix(ring, width, height, stride, count, toU, toV);
  for (let j = 0, k = 0; k < ring.length; k += stride, j++) ys[j] = L[ring[k]!]!;
  const med = percentile(ys, 0.5);
  let coef: Float64Array = Float64Array.from([med, 0, 0, 0, 0, 0]);
  const residual = new Float32Array(count);
  const spread = (c: Float64Array): number => {
    for (let j = 0; j < count; j++) {
      let p = 0;
      for (let t = 0; t < TERMS; t++) p += c[t]! * phi[j * TERMS + t]!;
      const r = ys[j]! - p;
      residual[j] = r < 0 ? -r : r;
    }
    return 1.4826 * percentile(residual, 0.5);
  };
  let sigma = spread(coef);
  // Too few samples or a degenerate shape (1-3 px wide images): the constant level is all we can trust.
  if (count >= 4 * TERMS && width >= 8 && height >= 8) {
    const inlier = new Uint8Array(count);
    const ata = new Float64Array(TERMS * TERMS);
    const atb = new Float64Array(TERMS);
    for (let iter = 0; iter < 4; iter++) {
      const cut = 2.5 * sigma + 4;
      let used = 0;
      let changed = iter === 0;
      for (let j = 0; j < count; j++) {
        const inside = residual[j]! > cut ? 0 : 1;
        if (inside !== inlier[j]) changed = true;
        inlier[j] = inside;
        used += inside;
      }
      if (used < 4 * TERMS) break;
      // The same inliers give the same system, hence the same fit: the iteration has reached its fixed point.
      if (!changed) break;
      ata.fill(0);
      atb.fill(0);
      for (let j = 0; j < count; j++) {
        if (!inlier[j]) continue;
        const o = j * TERMS;
        const y = ys[j]!;
        for (let r = 0; r < TERMS; r++) {
          const pr = phi[o + r]!;
          atb[r]! += pr * y;
          // The normal matrix is symmetric (pr * pc == pc * pr exactly): fill the upper triangle, mirror below.
          for (let c = r; c < TERMS; c++) ata[r * TERMS + c]! += pr * phi[o + c]!;
        }
      }
      for (let r = 1; r < TERMS; r++) for (let c = 0; c < r; c++) ata[r * TERMS + c] = ata[c * TERMS + r]!;
      const next = solve(ata, atb, TERMS);
      if (!next) break;
      coef = next;
      sigma = spread(coef);
    }
  }
  const level = new Float32Array(width * height);
  const [c0, c1, c2, c3, c4, c5] = coef;
  const us = new Float32Array(width);
  const quad = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    us[x] = toU(x);
    quad[x] = c3! * us[x]! * us[x]!;
  }
  for (let y = 0; y < height; y++) {
    const v = toV(y);
    const rowConst = c0! + c2! * v + c4! * v * v;
    const rowLin = c1! + c5! * v;
    const o = y * width;
    for (let x = 0; x < width; x++) level[o + x] = rowConst + rowLin * us[x]! + quad[x]!;
  }
  return { level, median: med, sigma };
}

/** Blocks across the shorter side of the image for {@link localPaper}. */
const BLOCKS = 12;

/** Running max (`sign` 1) or min (-1) over a 3x3 neighbourhood of a grid. */
function grid3(src: Float32Array, gw: number, gh: number, sign: 1 | -1): Float32Array {
  const out = new Float32Array(src.length);
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      let best = src[y * gw + x]! * sign;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= gh) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= gw) continue;
          const v = src[yy * gw + xx]! * sign;
          if (v > best) best = v;
        }
      }
      out[y * gw + x] = best * sign;
    }
  }
  return out;
}

/**
 * The paper level as it varies across the image at a scale larger than strokes and smaller than the sheet: a
 * shadow cast across the sheet, a fold, a dim corner, which the smooth border fit cannot follow. Per block (1/12
 * of the shorter side) the mean of the pixels on the paper side of the block's mean; then a grey closing over 3x3
 * blocks (paper side first), which removes strokes up to about two blocks wide and keeps larger dark or light
 * regions; bilinear between block centres. `darkInk`: paper is the bright side.
 */
export function localPaper(luma: Plane, darkInk: boolean): Float32Array {
  const { data: L, width, height } = luma;
  const b = Math.max(4, Math.round(Math.min(width, height) / BLOCKS));
  const gw = Math.ceil(width / b);
  const gh = Math.ceil(height / b);
  const grid = new Float32Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const x1 = Math.min(width, (gx + 1) * b);
      const y1 = Math.min(height, (gy + 1) * b);
      let sum = 0;
      let count = 0;
      for (let y = gy * b; y < y1; y++) {
        for (let x = gx * b; x < x1; x++) {
          sum += L[y * width + x]!;
          count++;
        }
      }
      const mean = sum / count;
      let side = 0;
      let sideCount = 0;
      for (let y = gy * b; y < y1; y++) {
        for (let x = gx * b; x < x1; x++) {
          const v = L[y * width + x]!;
          if (darkInk ? v >= mean : v <= mean) {
            side += v;
            sideCount++;
          }
        }
      }
      grid[gy * gw + gx] = sideCount > 0 ? side / sideCount : mean;
    }
  }
  const sign = darkInk ? 1 : -1;
  const closed = grid3(grid3(grid, gw, gh, sign), gw, gh, sign === 1 ? -1 : 1);
  // Interpolation weights per column and per row, computed once (no Math calls in the per-pixel loop).
  const axis = (size: number, cells: number): { i0: Int32Array; i1: Int32Array; t: Float32Array } => {
    const i0 = new Int32Array(size);
    const i1 = new Int32Array(size);
    const t = new Float32Array(size);
    for (let k = 0; k < size; k++) {
      const f = Math.min(cells - 1, Math.max(0, (k + 0.5) / b - 0.5));
      const a = Math.max(0, Math.min(cells - 2, Math.floor(f)));
      i0[k] = a;
      i1[k] = Math.min(cells - 1, a + 1);
      t[k] = cells > 1 ? f - a : 0;
    }
    return { i0, i1, t };
  };
  const ax = axis(width, gw);
  const ay = axis(height, gh);
  // Each grid row interpolated along x once (in double, as the per-pixel expression had it), then rows blended.
  const across = new Float64Array(gh * width);
  for (let g = 0; g < gh; g++) {
    const r = g * gw;
    const o = g * width;
    for (let x = 0; x < width; x++) {
      const x0 = ax.i0[x]!;
      const x1 = ax.i1[x]!;
      across[o + x] = closed[r + x0]! + (closed[r + x1]! - closed[r + x0]!) * ax.t[x]!;
    }
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const r0 = ay.i0[y]! * width;
    const r1 = ay.i1[y]! * width;
    const ty = ay.t[y]!;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const top = across[r0 + x]!;
      out[o + x] = top + (across[r1 + x]! - top) * ty;
    }
  }
  return out;
}
