import { boundsOf, type Contour } from './outline';

/** Squared distance standing for "no feature in reach". */
const FAR = 1e12;

/**
 * Exact squared Euclidean distance transform of one line (Felzenszwalb & Huttenlocher): `f` holds 0 at features
 * and FAR elsewhere on input, squared distances on output. `v`, `z`, `d` are scratch of length n, n+1, n.
 */
function edt1d(f: Float64Array, n: number, v: Int32Array, z: Float64Array, d: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    while (s <= z[k]!) {
      k--;
      s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const dq = q - v[k]!;
    d[q] = dq * dq + f[v[k]!]!;
  }
  for (let q = 0; q < n; q++) f[q] = d[q]!;
}

/** Squared distance of every cell of a w x h grid to the nearest cell where `feature` is 1. */
function distanceTransform(feature: Uint8Array, w: number, h: number): Float64Array {
  const dist = new Float64Array(w * h);
  // Along columns the distance to the nearest feature is two linear scans; only the rows need the parabolas.
  for (let x = 0; x < w; x++) {
    let d = FAR;
    for (let y = 0; y < h; y++) {
      d = feature[y * w + x] ? 0 : d + 1;
      dist[y * w + x] = d;
    }
    d = FAR;
    for (let y = h - 1; y >= 0; y--) {
      d = feature[y * w + x] ? 0 : d + 1;
      const here = dist[y * w + x]!;
      dist[y * w + x] = d < here ? d : here;
    }
  }
  for (let i = 0; i < dist.length; i++) dist[i] = dist[i]! >= FAR / 2 ? FAR : dist[i]! * dist[i]!;
  const f = new Float64Array(w);
  const d = new Float64Array(w);
  const v = new Int32Array(w);
  const z = new Float64Array(w + 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) f[x] = dist[y * w + x]!;
    edt1d(f, w, v, z, d);
    for (let x = 0; x < w; x++) dist[y * w + x] = f[x]!;
  }
  return dist;
}

/** Nonzero-winding scanline fill of `contours` onto a binary grid of sample centres (grid units). */
function scanFill(contours: Contour[], w: number, h: number, toGridX: number, toGridY: number, s: number): Uint8Array {
  const mask = new Uint8Array(w * h);
  const xs: number[] = [];
  const dirs: number[] = [];
  const order: number[] = [];
  for (let row = 0; row < h; row++) {
    const y = (row + 0.5) / s + toGridY;
    xs.length = 0;
    dirs.length = 0;
    for (const c of contours) {
      const n = c.length / 2;
      for (let i = 0; i < n; i++) {
        const j = (i + 1) % n;
        const ya = c[2 * i + 1]!;
        const yb = c[2 * j + 1]!;
        if (ya === yb || y < Math.min(ya, yb) || y >= Math.max(ya, yb)) continue;
        const xa = c[2 * i]!;
        const xb = c[2 * j]!;
        xs.push(xa + ((y - ya) / (yb - ya)) * (xb - xa));
        dirs.push(yb > ya ? 1 : -1);
      }
    }
    if (xs.length < 2) continue;
    order.length = 0;
    for (let k = 0; k < xs.length; k++) order.push(k);
    order.sort((p, q) => xs[p]! - xs[q]! || p - q);
    let wind = 0;
    for (let k = 0; k < order.length - 1; k++) {
      wind += dirs[order[k]!]!;
      if (wind === 0) continue;
      // Samples whose centre lies in [x_k, x_{k+1}).
      const a = Math.max(0, Math.ceil((xs[order[k]!]! - toGridX) * s - 0.5));
      const b = Math.min(w, Math.ceil((xs[order[k + 1]!]! - toGridX) * s - 0.5));
      for (let col = a; col < b; col++) mask[row * w + col] = 1;
    }
  }
  return mask;
}

/**
 * Rasterises filled outlines (pixel coordinates) into an anti-aliased coverage plane of `width` x `height` with
 * values in [0,1]. `offset` (pixels) grows the outline outwards (positive: a thicker pen) or shrinks it (negative:
 * a finer one), exactly by the Euclidean distance transform of a supersampled mask. Only the outline's bounding box
 * is worked on, so cost follows the glyph's size rather than the canvas's.
 */
export function rasterise(contours: Contour[], width: number, height: number, offset = 0): Float32Array {
  const out = new Float32Array(width * height);
  if (contours.length === 0) return out;
  const b = boundsOf(contours);
  const grow = Math.max(0, offset) + 2;
  const px0 = Math.max(0, Math.floor(b.x0 - grow));
  const py0 = Math.max(0, Math.floor(b.y0 - grow));
  const px1 = Math.min(width, Math.ceil(b.x1 + grow));
  const py1 = Math.min(height, Math.ceil(b.y1 + grow));
  if (px1 <= px0 || py1 <= py0) return out;
  const bw = px1 - px0;
  const bh = py1 - py0;
  // Finer sampling for small glyphs, where edges are a large share of the strokes.
  const s = Math.max(2, Math.min(5, Math.floor(360 / Math.max(bw, bh))));
  const w = bw * s;
  const h = bh * s;
  let mask = scanFill(contours, w, h, px0, py0, s);
  const reach = Math.abs(offset) * s;
  if (reach >= 0.5) {
    const grown = new Uint8Array(w * h);
    if (offset > 0) {
      const d = distanceTransform(mask, w, h);
      for (let i = 0; i < d.length; i++) grown[i] = d[i]! <= reach * reach ? 1 : 0;
    } else {
      const inverse = new Uint8Array(w * h);
      for (let i = 0; i < inverse.length; i++) inverse[i] = mask[i] ? 0 : 1;
      const d = distanceTransform(inverse, w, h);
      for (let i = 0; i < d.length; i++) grown[i] = mask[i] && d[i]! > reach * reach ? 1 : 0;
    }
    mask = grown;
  }
  const norm = 1 / (s * s);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      let c = 0;
      for (let sy = 0; sy < s; sy++) {
        const row = (y * s + sy) * w + x * s;
        for (let sx = 0; sx < s; sx++) c += mask[row + sx]!;
      }
      out[(y + py0) * width + x + px0] = c * norm;
    }
  }
  return out;
}
