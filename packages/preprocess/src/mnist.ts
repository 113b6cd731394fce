import type { Box } from './ink';
import { resample, type Plane } from './resample';
import { maxFilter, thickenRadius } from './stroke';

/** MNIST geometry: digits size-normalised into a 20x20 box, centre of mass at pixel (14,14) of 28x28. */
export const SIDE = 28;
export const BOX = 20;
export const CENTRE = 14;
/** Output pixels of context kept around the ink box so anti-aliased edges are not cut. */
const MARGIN = 2;

/** Copies `box` (plus `margin` pixels each side, zero-padded) out of `src`, so nothing outside leaks in later. */
function crop(src: Plane, box: Box, margin: number): Plane {
  const x0 = box.x0 - margin;
  const y0 = box.y0 - margin;
  const width = box.x1 - box.x0 + 1 + 2 * margin;
  const height = box.y1 - box.y0 + 1 + 2 * margin;
  const data = new Float32Array(width * height);
  for (let y = Math.max(0, y0); y < Math.min(src.height, y0 + height); y++) {
    for (let x = Math.max(0, x0); x < Math.min(src.width, x0 + width); x++) {
      data[(y - y0) * width + (x - x0)] = src.data[y * src.width + x]!;
    }
  }
  return { data, width, height };
}

function centreOfMass(p: Plane): { x: number; y: number } | null {
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
  return m > 0 ? { x: sx / m, y: sy / m } : null;
}

/**
 * Offset placing the centre of mass at CENTRE while keeping the ink (the patch of `size` pixels minus `margin`
 * each side) inside the frame.
 */
function placement(com: number, size: number, margin: number): number {
  const want = CENTRE - com;
  const lo = Math.min(-margin, SIDE - size + margin);
  const hi = Math.max(-margin, SIDE - size + margin);
  return Math.min(hi, Math.max(lo, want));
}

/**
 * Builds the 28x28 MNIST-style plane from separated ink: hairline strokes are first thickened towards MNIST's
 * relative stroke width (`strokeWidth` is the measured one), then the ink box is scaled so its longer side is 20 px
 * (aspect kept, box-filtered), then shifted by a sub-pixel amount so the centre of mass lands on (14,14), and the
 * result stretched so its brightest pixel is 1 like every MNIST digit.
 */
export function mnistPlane(ink: Plane, box: Box, strokeWidth = 0): Float32Array {
  const inkLong = Math.max(box.x1 - box.x0 + 1, box.y1 - box.y0 + 1);
  const r = thickenRadius(strokeWidth, inkLong);
  const grown = { x0: box.x0 - r, y0: box.y0 - r, x1: box.x1 + r, y1: box.y1 + r };
  const long = inkLong + 2 * r;
  const marginSrc = Math.ceil((MARGIN * long) / BOX);
  const cropped = crop(ink, grown, marginSrc);
  const patchSrc = r > 0 ? maxFilter(cropped, r) : cropped;
  const f = BOX / long;
  const ow = Math.max(1, Math.round(patchSrc.width * f));
  const oh = Math.max(1, Math.round(patchSrc.height * f));
  const full = { x: 0, y: 0, width: patchSrc.width, height: patchSrc.height };
  const patch = resample(patchSrc, full, ow, oh);
  const com = centreOfMass(patch) ?? { x: ow / 2, y: oh / 2 };
  const marginOut = (marginSrc * BOX) / long;
  const ox = placement(com.x, ow, marginOut);
  const oy = placement(com.y, oh, marginOut);
  // Resample once more straight into the 28x28 frame so the centring is sub-pixel rather than rounded.
  const sx = patchSrc.width / ow;
  const sy = patchSrc.height / oh;
  const out = resample(patchSrc, { x: -ox * sx, y: -oy * sy, width: SIDE * sx, height: SIDE * sy }, SIDE, SIDE).data;
  let max = 0;
  for (let i = 0; i < out.length; i++) if (out[i]! > max) max = out[i]!;
  if (max > 0) {
    for (let i = 0; i < out.length; i++) {
      const v = out[i]! / max;
      out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return out;
}

/** Plain resize of the luminance to 28x28, scaled to [0,1]: what a naive service does. */
export function naivePlane(luma: Plane): Float32Array {
  const out = resample(luma, { x: 0, y: 0, width: luma.width, height: luma.height }, SIDE, SIDE).data;
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]! / 255));
  return out;
}
