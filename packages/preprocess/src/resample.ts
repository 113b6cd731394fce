/** A single-channel float image, row-major. */
export interface Plane {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * For each output sample along one axis, the source indices and weights contributing to it, flat: sample `i` uses
 * entries `start[i]` to `start[i + 1]` (one allocation per axis instead of two per sample).
 */
interface AxisWeights {
  start: Int32Array;
  index: Int32Array;
  weight: Float32Array;
}

/**
 * Weights mapping the source interval [start, start+length) of an axis of `size` pixels onto `out` samples.
 * Downsampling integrates exact pixel coverage (a box filter: the anti-aliasing MNIST's normalisation had);
 * upsampling interpolates linearly. Source positions outside the image read as 0.
 */
function axisWeights(size: number, start: number, length: number, out: number): AxisWeights {
  const step = length / out;
  // A sample covers at most ceil(step) + 1 source pixels when downsampling, 2 when upsampling.
  const cap = out * (step >= 1 ? Math.ceil(step) + 2 : 2);
  const starts = new Int32Array(out + 1);
  const index = new Int32Array(cap);
  const weight = new Float32Array(cap);
  let k = 0;
  for (let i = 0; i < out; i++) {
    starts[i] = k;
    if (step >= 1) {
      const a = start + i * step;
      const b = a + step;
      const hi = Math.min(size, Math.ceil(b));
      for (let j = Math.max(0, Math.floor(a)); j < hi; j++) {
        const cover = Math.min(b, j + 1) - Math.max(a, j);
        if (cover > 0) {
          index[k] = j;
          weight[k++] = cover / step;
        }
      }
    } else {
      const p = start + (i + 0.5) * step - 0.5;
      const j0 = Math.floor(p);
      const t = p - j0;
      if (j0 >= 0 && j0 < size) {
        index[k] = j0;
        weight[k++] = 1 - t;
      }
      if (j0 + 1 >= 0 && j0 + 1 < size && t > 0) {
        index[k] = j0 + 1;
        weight[k++] = t;
      }
    }
  }
  starts[out] = k;
  return { start: starts, index, weight };
}

/** The region of a plane to resample, in source pixel coordinates (may extend past the edges, which read as 0). */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Resamples `region` of `src` to `outW` x `outH` (separable box filter down, bilinear up).
 *
 * Ink planes are mostly zero, so zeros are skipped: a weight (always positive) times zero adds +0 to a sum that
 * starts at +0, which leaves it unchanged bit for bit, and an output whose every tap reads zero stays at its
 * initial +0. Skipping them gives exactly the values of summing every tap, in index order, in double precision,
 * stored as float32 (horizontal pass) and accumulated in the float32 output one source row at a time (vertical).
 */
export function resample(src: Plane, region: Region, outW: number, outH: number): Plane {
  const h = axisWeights(src.width, region.x, region.width, outW);
  const v = axisWeights(src.height, region.y, region.height, outH);
  const hStart = h.start;
  const hIndex = h.index;
  const hWeight = h.weight;
  const vStart = v.start;
  const vIndex = v.index;
  const vWeight = v.weight;
  const data = src.data;
  const srcW = src.width;
  const out = new Float32Array(outW * outH);
  const taps = vStart[outH]!;
  if (taps === 0) return { data: out, width: outW, height: outH };
  // Only the source rows some output row reads are filtered horizontally.
  let rowLo = vIndex[0]!;
  let rowHi = rowLo;
  for (let k = 0; k < taps; k++) {
    const r = vIndex[k]!;
    if (r < rowLo) rowLo = r;
    if (r + 1 > rowHi) rowHi = r + 1;
  }
  const tmp = new Float32Array((rowHi - rowLo) * outW);
  // Per filtered row: the outputs [first, last) that may be non-zero (first === last: the row is all zero).
  const rowFirst = new Int32Array(rowHi - rowLo);
  const rowLast = new Int32Array(rowHi - rowLo);
  for (let y = rowLo; y < rowHi; y++) {
    const srcRow = y * srcW;
    let c0 = 0;
    while (c0 < srcW && data[srcRow + c0] === 0) c0++;
    if (c0 === srcW) continue;
    let c1 = srcW - 1;
    while (data[srcRow + c1] === 0) c1--;
    const tmpRow = (y - rowLo) * outW;
    let first = -1;
    let last = -1;
    for (let i = 0; i < outW; i++) {
      const begin = hStart[i]!;
      const end = hStart[i + 1]!;
      // Tap indices grow with i: outputs left of the ink are skipped, and none right of it reads any.
      if (end === begin || hIndex[end - 1]! < c0) continue;
      if (hIndex[begin]! > c1) break;
      let acc = 0;
      for (let k = begin; k < end; k++) acc += hWeight[k]! * data[srcRow + hIndex[k]!]!;
      tmp[tmpRow + i] = acc;
      if (first < 0) first = i;
      last = i + 1;
    }
    if (first >= 0) {
      rowFirst[y - rowLo] = first;
      rowLast[y - rowLo] = last;
    }
  }
  for (let j = 0; j < outH; j++) {
    const o = j * outW;
    const end = vStart[j + 1]!;
    for (let k = vStart[j]!; k < end; k++) {
      const r = vIndex[k]! - rowLo;
      const row = r * outW;
      const wk = vWeight[k]!;
      const last = rowLast[r]!;
      for (let i = rowFirst[r]!; i < last; i++) out[o + i]! += wk * tmp[row + i]!;
    }
  }
  return { data: out, width: outW, height: outH };
}

/** Resamples a whole plane so that its longer side is at most `maxSide` (returns the plane itself if it is). */
export function fitWithin(src: Plane, maxSide: number): Plane {
  const long = Math.max(src.width, src.height);
  if (long <= maxSide) return src;
  const f = maxSide / long;
  const w = Math.max(1, Math.round(src.width * f));
  const h = Math.max(1, Math.round(src.height * f));
  return resample(src, { x: 0, y: 0, width: src.width, height: src.height }, w, h);
}
