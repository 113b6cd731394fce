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

export function moments(p: Plane): Moments {
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      const v = p.data[y * p.width + x]!;
      m += v;
      sx += v * x;
      sy += v * y;
    }
  }
  if (m <= 0) return { mass: 0, cx: p.width / 2, cy: p.height / 2, xx: 0, yy: 0, xy: 0 };
  const cx = sx / m;
  const cy = sy / m;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let y = 0; y < p.height; y++) {
    const dy = y - cy;
    for (let x = 0; x < p.width; x++) {
      const v = p.data[y * p.width + x]!;
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
  const reach = Math.ceil(Math.abs(k) * Math.max(cy, p.height - cy));
  const width = p.width + 2 * reach;
  const out = new Float32Array(width * p.height);
  for (let y = 0; y < p.height; y++) {
    const shift = k * (y - cy) + reach;
    const row = y * p.width;
    for (let x = 0; x < width; x++) {
      const sx = x - shift;
      const x0 = Math.floor(sx);
      const t = sx - x0;
      const a = x0 >= 0 && x0 < p.width ? p.data[row + x0]! : 0;
      const b = x0 + 1 >= 0 && x0 + 1 < p.width ? p.data[row + x0 + 1]! : 0;
      out[y * width + x] = a + (b - a) * t;
    }
  }
  return { data: out, width, height: p.height };
}

/** Bounding box of the pixels above `level`, or null. */
export function boxAbove(p: Plane, level: number): Box | null {
  let x0 = p.width;
  let y0 = p.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      if (!(p.data[y * p.width + x]! > level)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}
