import type { Box } from './ink';
import { resample, type Plane } from './resample';

/**
 * Longer side of the ink box on the canonical patch, pixels: four times MNIST's 20-px box, so that strokes are a
 * few pixels wide (enough to measure and to change by a fraction of their width) and the area-averaging down to
 * 20 px produces MNIST's anti-aliased grey levels.
 */
export const CANON = 80;
/** Empty pixels kept around the ink on the canonical patch: room to thicken strokes and to shear. */
export const CANON_MARGIN = 14;

/**
 * Cuts the ink box out of the working-resolution ink plane and resamples it so that its longer side is
 * {@link CANON} pixels (aspect kept; area-averaged down or interpolated up), with {@link CANON_MARGIN} pixels of
 * background around it.
 */
export function canonicalPatch(ink: Plane, box: Box): Plane {
  const bw = box.x1 - box.x0 + 1;
  const bh = box.y1 - box.y0 + 1;
  const f = CANON / Math.max(bw, bh);
  const w = Math.max(1, Math.round(bw * f));
  const h = Math.max(1, Math.round(bh * f));
  const m = CANON_MARGIN / f;
  const region = { x: box.x0 - m, y: box.y0 - m, width: bw + 2 * m, height: bh + 2 * m };
  const W = w + 2 * CANON_MARGIN;
  const H = h + 2 * CANON_MARGIN;
  return resample(ink, region, W, H);
}

/** Mass, centre and second central moments of a plane (grey values as weights). */
export interface Moments {
  mass: number;
  cx: number;
  cy: number;
  /** Variance along x and y, covariance, pixels². */
  xx: number;
  yy: number;
  xy: number;
}

/**
 * Mass and first moments (sum of v, v*x, v*y) of a plane, in row order. Zero pixels are skipped: their terms are
 * signed zeros, which leave a sum that starts at +0 unchanged, so the sums are those of the full scan.
 */
export function firstMoments(p: Plane): { m: number; sx: number; sy: number } {
  const { data, width, height } = p;
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const v = data[o + x]!;
      if (v === 0) continue;
      m += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return { m, sx, sy };
}

/** Centre and second central moments of the ink (zero pixels skipped as in {@link firstMoments}). */
export function moments(p: Plane): Moments {
  const { data, width, height } = p;
  const { m, sx, sy } = firstMoments(p);
  if (m <= 0) return { mass: 0, cx: width / 2, cy: height / 2, xx: 0, yy: 0, xy: 0 };
  const cx = sx / m;
  const cy = sy / m;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let y = 0; y < height; y++) {
    const dy = y - cy;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const v = data[o + x]!;
      if (v === 0) continue;
      const dx = x - cx;
      xx += v * dx * dx;
      yy += v * dy * dy;
      xy += v * dx * dy;
    }
  }
  return { mass: m, cx, cy, xx: xx / m, yy: yy / m, xy: xy / m };
}

/**
 * Skew of the ink: the horizontal shift per row of its principal axis, cov(x,y)/var(y) (negative when the top
 * leans right, since y points down). Shearing by minus this value stands a digit upright (LeCun's deskewing).
 */
export function skewOf(m: Moments): number {
  return m.yy > 1e-9 ? m.xy / m.yy : 0;
}

/**
 * Shears a plane horizontally, x' = x + k (y - cy), about its centre of mass row, widening it so that nothing is
 * cut; bilinear sampling.
 */
export function shear(p: Plane, k: number, cy: number): Plane {
  const { data, width: srcW, height } = p;
  const reach = Math.ceil(Math.abs(k) * Math.max(cy, height - cy));
  const width = srcW + 2 * reach;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * srcW;
    // Outside the row's ink both samples are zero and the result +0, the array's initial value: only the span
    // that can read ink (with a pixel to spare each side) is computed.
    let c0 = 0;
    while (c0 < srcW && data[row + c0] === 0) c0++;
    if (c0 === srcW) continue;
    let c1 = srcW - 1;
    while (data[row + c1] === 0) c1--;
    const shift = k * (y - cy) + reach;
    const xLo = Math.max(0, Math.floor(c0 - 1 + shift) - 1);
    const xHi = Math.min(width - 1, Math.ceil(c1 + 1 + shift) + 1);
    const o = y * width;
    for (let x = xLo; x <= xHi; x++) {
      const sx = x - shift;
      const x0 = Math.floor(sx);
      const t = sx - x0;
      const a = x0 >= 0 && x0 < srcW ? data[row + x0]! : 0;
      const b = x0 + 1 >= 0 && x0 + 1 < srcW ? data[row + x0 + 1]! : 0;
      out[o + x] = a + (b - a) * t;
    }
  }
  return { data: out, width, height };
}

/** Bounding box of the pixels above `level`, or null. */
export function boxAbove(p: Plane, level: number): Box | null {
  const { data, width, height } = p;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) {
      if (!(data[o + x]! > level)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}
