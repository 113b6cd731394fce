import { boxAbove, CANON_MARGIN, canonicalPatch, firstMoments, moments, shear, skewOf } from './canonical';
import type { Box } from './ink';
import { MNIST_SKEW, MNIST_STROKE } from './mnist-shape';
import { offsetMask, strokeWidthOf } from './morphology';
import { resample, type Plane } from './resample';
import { stripOneFlag } from './one-flag';
import { maxFilter, thickenRadius } from './stroke';
import { DEFAULT_STEPS, type NormaliseSteps } from './types';

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
  const sd = src.data;
  const sw = src.width;
  const xa = Math.max(0, x0);
  const xb = Math.min(sw, x0 + width);
  const yb = Math.min(src.height, y0 + height);
  for (let y = Math.max(0, y0); y < yb; y++) {
    const from = y * sw;
    const to = (y - y0) * width - x0;
    for (let x = xa; x < xb; x++) data[to + x] = sd[from + x]!;
  }
  return { data, width, height };
}

/** The ink's centre of mass, or null for a plane without ink. */
function centreOfMass(p: Plane): { x: number; y: number } | null {
  const { m, sx, sy } = firstMoments(p);
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
 * Scales the ink box of `src` so its longer side is 20 px (aspect kept, box-filtered), shifts it by a sub-pixel
 * amount so the centre of mass lands on (14,14), and stretches the result so its brightest pixel is 1 like every
 * MNIST digit.
 */
function frame(src: Plane, box: Box): Float32Array {
  const long = Math.max(box.x1 - box.x0 + 1, box.y1 - box.y0 + 1);
  const marginSrc = Math.ceil((MARGIN * long) / BOX);
  const patchSrc = crop(src, box, marginSrc);
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

/**
 * Hairlines (a fine pen on a large sheet) thickened towards MNIST's relative stroke width at working resolution,
 * before anything samples them down: the ink plane around the (grown) box, and that box in it.
 */
function thickened(ink: Plane, box: Box, strokeWidth: number): { plane: Plane; box: Box } {
  const inkLong = Math.max(box.x1 - box.x0 + 1, box.y1 - box.y0 + 1);
  const r = thickenRadius(strokeWidth, inkLong);
  if (r === 0) return { plane: ink, box };
  const grown = { x0: box.x0 - r, y0: box.y0 - r, x1: box.x1 + r, y1: box.y1 + r };
  const margin = Math.ceil((MARGIN * (inkLong + 2 * r)) / BOX);
  const cropped = crop(ink, grown, margin);
  const inner = { x0: margin, y0: margin, x1: cropped.width - margin - 1, y1: cropped.height - margin - 1 };
  return { plane: maxFilter(cropped, r), box: inner };
}

/**
 * Builds the 28x28 MNIST-style plane from separated ink. Hairlines are thickened first; with every step off the
 * ink box is then framed, as before the steps existed. Otherwise the ink box is first taken to a canonical patch
 * at four times MNIST's scale, where the digit is sheared to MNIST's mean slant (`deskew`), its mean stroke width
 * brought to MNIST's (`stroke`) and its ink made bilevel (`antialias`), so that framing it into 20 px averages
 * areas into the grey levels MNIST's own normalisation produced.
 */
export function mnistPlane(ink: Plane, box: Box, strokeWidth = 0, steps: NormaliseSteps = DEFAULT_STEPS): Float32Array {
  const out = framedPlane(ink, box, strokeWidth, steps);
  return steps.oneFlag ? stripOneFlag(out) : out;
}

function framedPlane(ink: Plane, box: Box, strokeWidth: number, steps: NormaliseSteps): Float32Array {
  const hairlines = thickened(ink, box, strokeWidth);
  if (!steps.deskew && !steps.stroke && !steps.antialias) return frame(hairlines.plane, hairlines.box);
  let patch = canonicalPatch(hairlines.plane, hairlines.box);
  if (steps.deskew) {
    const m = moments(patch);
    const k = clamp(MNIST_SKEW - skewOf(m), -MAX_SHEAR, MAX_SHEAR);
    patch = shear(patch, k, m.cy);
  }
  if (steps.stroke || steps.antialias) patch = strokeStep(patch, steps);
  const level = steps.antialias ? 0.5 : STROKE_LEVEL;
  const inner = boxAbove(patch, level) ?? boxAbove(patch, 0);
  return inner ? frame(patch, inner) : new Float32Array(SIDE * SIDE);
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** Largest shear applied when deskewing (about 31°): beyond it a "digit" is more likely a scribble than a slant. */
const MAX_SHEAR = 0.6;
/** Grey level above which the canonical patch counts as stroke when it is not bilevel. */
const STROKE_LEVEL = 0.2;

/**
 * Stroke width to MNIST's and/or bilevel ink, on the canonical patch. Bilevel: thresholded at half strength, the
 * width changed exactly by a disc (distance transform). Grey (antialias off): the width changed by a square grey
 * dilation or erosion of the rounded radius, the photo's edge profile kept.
 */
function strokeStep(patch: Plane, steps: NormaliseSteps): Plane {
  const { width, height } = patch;
  // A light blur first (sigma about 1 px here, a quarter of an output pixel): grainy strokes (pencil, chalk,
  // sensor noise) threshold into solid ones instead of a spray of specks and holes.
  const smooth = boxBlur(boxBlur(patch));
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = smooth.data[i]! > 0.5 ? 1 : 0;
  let radius = 0;
  if (steps.stroke) {
    const box = boxAbove(smooth, 0.5);
    const w = strokeWidthOf(mask, width, height);
    if (box && w > 0) {
      const long = Math.max(box.x1 - box.x0 + 1, box.y1 - box.y0 + 1);
      const target = clamp(w / long, MNIST_STROKE.low, MNIST_STROKE.high) * long;
      // Never thin a stroke below 2 px (it would break), never thicken by more than the margin allows.
      radius = clamp((target - w) / 2, -(w / 2 - 1), CANON_MARGIN - 2);
    }
  }
  if (steps.antialias) {
    const out = Math.abs(radius) >= 0.25 ? offsetMask(mask, width, height, radius) : mask;
    return { data: Float32Array.from(out), width, height };
  }
  const r = Math.round(Math.abs(radius));
  if (r === 0) return patch;
  if (radius > 0) return maxFilter(patch, r);
  const inverted = { data: patch.data.map((v) => 1 - v), width, height };
  const eroded = maxFilter(inverted, r);
  return { data: eroded.data.map((v) => 1 - v), width, height };
}

/** Plain resize of the luminance to 28x28, scaled to [0,1]: what a naive service does. */
export function naivePlane(luma: Plane): Float32Array {
  const out = resample(luma, { x: 0, y: 0, width: luma.width, height: luma.height }, SIDE, SIDE).data;
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]! / 255));
  return out;
}

/** 3x3 box blur, zero outside. */
function boxBlur(p: Plane): Plane {
  const { width, height, data } = p;
  const tmp = new Float32Array(data.length);
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      tmp[i] = (data[i]! + (x > 0 ? data[i - 1]! : 0) + (x < width - 1 ? data[i + 1]! : 0)) / 3;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      out[i] = (tmp[i]! + (y > 0 ? tmp[i - width]! : 0) + (y < height - 1 ? tmp[i + width]! : 0)) / 3;
    }
  }
  return { data: out, width, height };
}
