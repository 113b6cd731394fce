/** A single-channel float image, row-major. */
export interface Plane {
  data: Float32Array;
  width: number;
  height: number;
}

/** For each output sample along one axis, the source indices and weights contributing to it. */
interface AxisWeights {
  index: Int32Array[];
  weight: Float32Array[];
}

/**
 * Weights mapping the source interval [start, start+length) of an axis of `size` pixels onto `out` samples.
 * Downsampling integrates exact pixel coverage (a box filter: the anti-aliasing MNIST's normalisation had);
 * upsampling interpolates linearly. Source positions outside the image read as 0.
 */
function axisWeights(size: number, start: number, length: number, out: number): AxisWeights {
  const step = length / out;
  const index: Int32Array[] = [];
  const weight: Float32Array[] = [];
  for (let i = 0; i < out; i++) {
    const idx: number[] = [];
    const w: number[] = [];
    if (step >= 1) {
      const a = start + i * step;
      const b = a + step;
      for (let j = Math.max(0, Math.floor(a)); j < Math.min(size, Math.ceil(b)); j++) {
        const cover = Math.min(b, j + 1) - Math.max(a, j);
        if (cover > 0) {
          idx.push(j);
          w.push(cover / step);
        }
      }
    } else {
      const p = start + (i + 0.5) * step - 0.5;
      const j0 = Math.floor(p);
      const t = p - j0;
      if (j0 >= 0 && j0 < size) {
        idx.push(j0);
        w.push(1 - t);
      }
      if (j0 + 1 >= 0 && j0 + 1 < size && t > 0) {
        idx.push(j0 + 1);
        w.push(t);
      }
    }
    index.push(Int32Array.from(idx));
    weight.push(Float32Array.from(w));
  }
  return { index, weight };
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
      const idx = h.index[i]!;
      const w = h.weight[i]!;
      let acc = 0;
      for (let k = 0; k < idx.length; k++) acc += w[k]! * src.data[srcRow + idx[k]!]!;
      tmp[tmpRow + i] = acc;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let j = 0; j < outH; j++) {
    const idx = v.index[j]!;
    const w = v.weight[j]!;
    for (let k = 0; k < idx.length; k++) {
      const row = (idx[k]! - rowLo) * outW;
      const wk = w[k]!;
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
