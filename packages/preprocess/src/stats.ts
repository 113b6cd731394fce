/**
 * Small order statistics on values in [0,255] via 1024-bin histograms (exact enough, linear time). Hot loops here
 * and in the other pixel modules avoid `Math.*` calls and `for...of` over typed arrays: both are fast in plain
 * Node but tens of times slower inside jest's VM sandbox, which would make the test suites crawl.
 */

const BINS = 1024;
const SCALE = (BINS - 1) / 255;

/** One histogram reused by every call (the module is synchronous, so calls never overlap); zeroed after use. */
const hist = new Uint32Array(BINS);

/** Histogram-based percentile (q in [0,1]) of values in [0,255]. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) return 0;
  let top = 0;
  for (let i = 0; i < n; i++) {
    const raw = (values[i]! * SCALE + 0.5) | 0;
    const b = raw < 0 ? 0 : raw >= BINS ? BINS - 1 : raw;
    hist[b]!++;
    if (b > top) top = b;
  }
  const target = q * (n - 1);
  let acc = 0;
  let found = 255;
  for (let b = 0; b <= top; b++) {
    acc += hist[b]!;
    if (acc > target) {
      found = b / SCALE;
      break;
    }
  }
  hist.fill(0, 0, top + 1);
  return found;
}

/** Rings of recent image sizes: uploads come in a handful of sizes, and a ring is rebuilt otherwise per call. */
const rings = new Map<string, Int32Array>();
const RING_CACHE = 32;

/** Indices of the outer ring of a width x height image, `ring` pixels thick (shared: do not modify). */
export function borderIndices(width: number, height: number, ring: number): Int32Array {
  const r = Math.max(1, Math.min(ring, Math.floor(Math.min(width, height) / 2) || 1));
  const key = `${width}x${height}x${r}`;
  const cached = rings.get(key);
  if (cached) return cached;
  const inner = Math.max(0, width - 2 * r) * Math.max(0, height - 2 * r);
  const out = new Int32Array(width * height - inner);
  let k = 0;
  for (let y = 0; y < height; y++) {
    const edgeRow = y < r || y >= height - r;
    for (let x = 0; x < width; x++) {
      if (edgeRow || x < r || x >= width - r) out[k++] = y * width + x;
    }
  }
  if (rings.size >= RING_CACHE) rings.delete(rings.keys().next().value as string);
  rings.set(key, out);
  return out;
}
