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

/** Resamples `region` of `src` to `outW` x `outH` (separable box filter down, bilinear up). */
export function resample(src: Plane, region: Region, outW: number, outH: number): Plane {
  const h = axisWeights(src.width, region.x, region.width, outW);
  const v = axisWeights(src.height, region.y, region.height, outH);
  const rowLo = Math.max(0, Math.floor(region.y) - 1);
  const rowHi = Math.min(src.height, Math.ceil(region.y + region.height) + 1);
  const tmp = new Float32Array((rowHi - rowLo) * outW);
  for (let y = rowLo; y < rowHi; y++) {
    const srcRow = y * src.width;
    const tmpRow = (y - rowLo) * outW;
    for (let i = 0; i < outW; i++) {
      let acc = 0;
      for (let k = h.start[i]!; k < h.start[i + 1]!; k++) acc += h.weight[k]! * src.data[srcRow + h.index[k]!]!;
      tmp[tmpRow + i] = acc;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let j = 0; j < outH; j++) {
    for (let k = v.start[j]!; k < v.start[j + 1]!; k++) {
      const row = (v.index[k]! - rowLo) * outW;
      const wk = v.weight[k]!;
      for (let i = 0; i < outW; i++) out[j * outW + i]! += wk * tmp[row + i]!;
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
