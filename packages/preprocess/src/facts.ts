import { fitWithin, type Plane } from './resample';

/** Thumbnail size for edge density, so the value does not depend on the upload's resolution. */
const EDGE_THUMB = 128;
/** Sobel magnitude, as a share of its full scale (4 x 255), above which a pixel is an edge. */
const EDGE_LEVEL = 0.1;

/** Share of pixels of a 128-px thumbnail whose Sobel gradient magnitude exceeds 10% of full scale. */
export function edgeDensity(luma: Plane): number {
  const t = fitWithin(luma, EDGE_THUMB);
  const { data, width, height } = t;
  if (width < 3 || height < 3) return 0;
  let edges = 0;
  const limit = (EDGE_LEVEL * 4 * 255) ** 2;
  for (let y = 1; y < height - 1; y++) {
    const up = (y - 1) * width;
    const mid = y * width;
    const down = (y + 1) * width;
    for (let x = 1; x < width - 1; x++) {
      const gx =
        data[up + x + 1]! +
        2 * data[mid + x + 1]! +
        data[down + x + 1]! -
        data[up + x - 1]! -
        2 * data[mid + x - 1]! -
        data[down + x - 1]!;
      const gy =
        data[down + x - 1]! +
        2 * data[down + x]! +
        data[down + x + 1]! -
        data[up + x - 1]! -
        2 * data[up + x]! -
        data[up + x + 1]!;
      if (gx * gx + gy * gy > limit) edges++;
    }
  }
  return edges / ((width - 2) * (height - 2));
}

/** Shannon entropy (bits) of the 32-bin luminance histogram. */
export function lumaEntropy(luma: Plane): number {
  const hist = new Float64Array(32);
  const n = luma.data.length;
  for (let i = 0; i < n; i++) {
    const b = (luma.data[i]! / 8) | 0;
    hist[b < 0 ? 0 : b > 31 ? 31 : b]!++;
  }
  let h = 0;
  for (const c of hist) if (c > 0) h -= (c / n) * Math.log2(c / n);
  return h;
}

/** Share of a [0,1] plane above one half. */
export function shareAbove(values: Float32Array, level = 0.5): number {
  let k = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > level) k++;
  return values.length > 0 ? k / values.length : 0;
}
