/**
 * Binary morphology on small masks (the canonical patch of a digit, about 100 px a side): exact Euclidean
 * distances, dilation and erosion by a disc of any real radius, and a one-pixel skeleton.
 */

/** Squared distance standing for "no feature in reach". */
const FAR = 1e12;

/** Lower envelope of parabolas (Felzenszwalb & Huttenlocher): exact 1-D squared distance transform, in place. */
function envelope(f: Float64Array, n: number, v: Int32Array, z: Float64Array, d: Float64Array): void {
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

/** Squared Euclidean distance from every pixel to the nearest pixel where `mask` equals `value`. */
export function squaredDistance(mask: Uint8Array, width: number, height: number, value: 0 | 1): Float64Array {
  const dist = new Float64Array(width * height);
  // Along columns the distance is two linear scans; only the rows need the envelope.
  for (let x = 0; x < width; x++) {
    let d = FAR;
    for (let y = 0; y < height; y++) {
      d = mask[y * width + x] === value ? 0 : d + 1;
      dist[y * width + x] = d;
    }
    d = FAR;
    for (let y = height - 1; y >= 0; y--) {
      d = mask[y * width + x] === value ? 0 : d + 1;
      if (d < dist[y * width + x]!) dist[y * width + x] = d;
    }
  }
  for (let i = 0; i < dist.length; i++) dist[i] = dist[i]! >= FAR / 2 ? FAR : dist[i]! * dist[i]!;
  const f = new Float64Array(width);
  const d = new Float64Array(width);
  const v = new Int32Array(width);
  const z = new Float64Array(width + 1);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) f[x] = dist[o + x]!;
    envelope(f, width, v, z, d);
    for (let x = 0; x < width; x++) dist[o + x] = f[x]!;
  }
  return dist;
}

/**
 * Grows (`radius` > 0) or shrinks (< 0) a binary mask by a disc of that radius: a pen `2 * radius` wider or
 * narrower along every stroke, round at the ends.
 */
export function offsetMask(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  const r2 = radius * radius;
  if (radius > 0) {
    const d = squaredDistance(mask, width, height, 1);
    for (let i = 0; i < out.length; i++) out[i] = d[i]! <= r2 ? 1 : 0;
  } else {
    const d = squaredDistance(mask, width, height, 0);
    for (let i = 0; i < out.length; i++) out[i] = mask[i] && d[i]! > r2 ? 1 : 0;
  }
  return out;
}

/**
 * Thins a binary mask to a one-pixel, 8-connected skeleton (Zhang & Suen 1984), in place; returns the number of
 * skeleton pixels. Pixels on the outer frame are treated as background.
 */
export function skeletonise(mask: Uint8Array, width: number, height: number): number {
  const del: number[] = [];
  for (let changed = true; changed;) {
    changed = false;
    for (let pass = 0; pass < 2; pass++) {
      del.length = 0;
      for (let y = 1; y < height - 1; y++) {
        for (let x = 1; x < width - 1; x++) {
          const i = y * width + x;
          if (!mask[i]) continue;
          // Neighbours clockwise from north: p2..p9.
          const p2 = mask[i - width]!;
          const p3 = mask[i - width + 1]!;
          const p4 = mask[i + 1]!;
          const p5 = mask[i + width + 1]!;
          const p6 = mask[i + width]!;
          const p7 = mask[i + width - 1]!;
          const p8 = mask[i - 1]!;
          const p9 = mask[i - width - 1]!;
          const b = p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9;
          if (b < 2 || b > 6) continue;
          const a =
            (+(!p2 && p3) as number) +
            +(!p3 && p4) +
            +(!p4 && p5) +
            +(!p5 && p6) +
            +(!p6 && p7) +
            +(!p7 && p8) +
            +(!p8 && p9) +
            +(!p9 && p2);
          if (a !== 1) continue;
          if (pass === 0 ? p2 * p4 * p6 === 0 && p4 * p6 * p8 === 0 : p2 * p4 * p8 === 0 && p2 * p6 * p8 === 0) {
            del.push(i);
          }
        }
      }
      for (const i of del) mask[i] = 0;
      if (del.length > 0) changed = true;
    }
  }
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  return n;
}

/**
 * Mean stroke width of a binary mask, pixels: ink area over skeleton length (a stroke of width w and length l has
 * area w·l and a skeleton of l pixels). Diagonal skeleton steps count √2. 0 for an empty mask.
 */
export function strokeWidthOf(mask: Uint8Array, width: number, height: number): number {
  let area = 0;
  for (let i = 0; i < mask.length; i++) area += mask[i]!;
  if (area === 0) return 0;
  const skel = Uint8Array.from(mask);
  if (skeletonise(skel, width, height) === 0) return 0;
  // Length: each skeleton pixel contributes half of each link to a skeleton neighbour (4-links 1, diagonals √2),
  // diagonals counted only where no 4-connected path already joins the two pixels.
  let length = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      if (!skel[i]) continue;
      const e = skel[i + 1]!;
      const s = skel[i + width]!;
      length += e + s;
      if (skel[i + width + 1] && !e && !s) length += Math.SQRT2;
      if (skel[i + width - 1] && !skel[i - 1] && !s) length += Math.SQRT2;
    }
  }
  return area / Math.max(1, length);
}
