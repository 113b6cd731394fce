import type { Plane } from './resample';

/** Strokes thinner than this share of the digit's longer side are thickened (MNIST digits: ~0.10). */
export const THIN_STROKE = 0.05;
/** Stroke width aimed at when thickening, as a share of the longer side. */
const TARGET_STROKE = 0.09;

/**
 * Dilation radius (working pixels) that brings a thin stroke (pen on a large sheet, a fine brush on a canvas) to
 * about MNIST's relative width; 0 for strokes that are already thick enough or unmeasured. MNIST's writers used
 * similar pens at similar sizes, so the model never saw hairlines.
 */
export function thickenRadius(strokeWidth: number, longSide: number): number {
  if (!(strokeWidth > 0) || strokeWidth >= THIN_STROKE) return 0;
  const r = Math.round(((TARGET_STROKE - strokeWidth) * longSide) / 2);
  return Math.max(1, Math.min(r, Math.ceil(0.06 * longSide)));
}

/**
 * Running maximum over windows of 2r+1 samples along `n` samples of `src` starting at `offset`, `step` apart (van
 * Herk / Gil-Werman: prefix and suffix maxima within blocks of 2r+1, so the cost does not grow with r). Samples
 * beyond the ends read as 0. `g` and `h` are scratch buffers of at least n + 2r.
 */
function runningMax(
  src: Float32Array,
  dst: Float32Array,
  n: number,
  offset: number,
  step: number,
  r: number,
  g: Float32Array,
  h: Float32Array,
): void {
  const w = 2 * r + 1;
  const padded = n + 2 * r;
  for (let k = 0; k < padded; k++) {
    const x = k - r;
    const v = x < 0 || x >= n ? 0 : src[offset + x * step]!;
    const prev = k % w === 0 ? 0 : g[k - 1]!;
    g[k] = prev > v ? prev : v;
  }
  for (let k = padded - 1; k >= 0; k--) {
    const x = k - r;
    const v = x < 0 || x >= n ? 0 : src[offset + x * step]!;
    const next = k % w === w - 1 || k === padded - 1 ? 0 : h[k + 1]!;
    h[k] = next > v ? next : v;
  }
  // The window of output x covers padded indices [x, x + 2r]: the suffix max from x, the prefix max to x + 2r.
  for (let x = 0; x < n; x++) {
    const a = h[x]!;
    const b = g[x + 2 * r]!;
    dst[offset + x * step] = a > b ? a : b;
  }
}

/** Grey dilation: the maximum over a (2r+1)-square neighbourhood, separably (rows, then columns). */
export function maxFilter(src: Plane, r: number): Plane {
  const { width, height, data } = src;
  const scratch = Math.max(width, height) + 2 * r;
  const g = new Float32Array(scratch);
  const h = new Float32Array(scratch);
  const tmp = new Float32Array(width * height);
  for (let y = 0; y < height; y++) runningMax(data, tmp, width, y * width, 1, r, g, h);
  const out = new Float32Array(width * height);
  for (let x = 0; x < width; x++) runningMax(tmp, out, height, x, width, r, g, h);
  return { data: out, width, height };
}
