/**
 * Small order statistics on values in [0,255] via 1024-bin histograms (exact enough, linear time). Hot loops here
 * and in the other pixel modules avoid `Math.*` calls and `for...of` over typed arrays: both are fast in plain
 * Node but tens of times slower inside jest's VM sandbox, which would make the test suites crawl.
 */

const BINS = 1024;
const SCALE = (BINS - 1) / 255;

/** Histogram-based percentile (q in [0,1]) of values in [0,255]. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const hist = new Uint32Array(BINS);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const b = (values[i]! * SCALE + 0.5) | 0;
    hist[b < 0 ? 0 : b >= BINS ? BINS - 1 : b]!++;
    n++;
  }
  if (n === 0) return 0;
  const target = q * (n - 1);
  let acc = 0;
  for (let b = 0; b < BINS; b++) {
    acc += hist[b]!;
    if (acc > target) return b / SCALE;
  }
  return 255;
}

/** Indices of the outer ring of a width x height image, `ring` pixels thick. */
export function borderIndices(width: number, height: number, ring: number): Int32Array {
  const r = Math.max(1, Math.min(ring, Math.floor(Math.min(width, height) / 2) || 1));
  const out: number[] = [];
  for (let y = 0; y < height; y++) {
    const edgeRow = y < r || y >= height - r;
    for (let x = 0; x < width; x++) {
      if (edgeRow || x < r || x >= width - r) out.push(y * width + x);
    }
  }
  return Int32Array.from(out);
}
