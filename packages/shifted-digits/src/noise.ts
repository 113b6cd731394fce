/** Random draws in [0,1), from a seeded generator. */
export type Rand = () => number;

/** Uniform in [lo, hi). */
export const between = (rand: Rand, lo: number, hi: number): number => lo + (hi - lo) * rand();

/** One element of a non-empty list. */
export function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

/** Standard normal draw (Box–Muller). */
export function gaussian(rand: Rand): number {
  const u = Math.max(1e-12, rand());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Mixes integers into one 32-bit seed (murmur3's finaliser after each word), so the seed of item k of a look
 * depends on everything that identifies it and nothing else.
 */
export function mixSeed(...words: number[]): number {
  let h = 0x811c9dc5;
  for (const w of words) {
    h = Math.imul(h ^ (w >>> 0), 0x01000193) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/**
 * Smooth random field in [0,1] over a width x height image: random values on a grid `cell` pixels apart, blended
 * with smoothstep weights (value noise). Stands for paper fibre, pressure changes along a stroke, chalk dust.
 */
export function valueNoise(rand: Rand, width: number, height: number, cell: number): Float32Array {
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = rand();
  const out = new Float32Array(width * height);
  const wx = new Float32Array(width);
  const ix = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    const gx = x / cell;
    ix[x] = Math.floor(gx);
    const t = gx - ix[x]!;
    wx[x] = t * t * (3 - 2 * t);
  }
  for (let y = 0; y < height; y++) {
    const gy = y / cell;
    const iy = Math.floor(gy);
    let t = gy - iy;
    t = t * t * (3 - 2 * t);
    const r0 = iy * gw;
    const r1 = r0 + gw;
    for (let x = 0; x < width; x++) {
      const i = ix[x]!;
      const u = wx[x]!;
      const top = grid[r0 + i]! * (1 - u) + grid[r0 + i + 1]! * u;
      const bottom = grid[r1 + i]! * (1 - u) + grid[r1 + i + 1]! * u;
      out[y * width + x] = top * (1 - t) + bottom * t;
    }
  }
  return out;
}

/**
 * Per-pixel normal deviates without Math calls: a table of 4096 Gaussian draws and an LCG index into it (sensor
 * noise and grain need no better statistics). Inline `next` in hot loops: `k = (k * 1103515245 + 12345) & 4095`.
 */
export function normalTable(rand: Rand): { table: Float32Array; start: number } {
  return { table: Float32Array.from({ length: 4096 }, () => gaussian(rand)), start: Math.floor(rand() * 4096) };
}

/** Blurs a plane in place with three passes of a box filter per axis (close to a Gaussian of that sigma). */
export function blurPlane(data: Float32Array, width: number, height: number, sigma: number): void {
  if (!(sigma > 0.3)) return;
  if (sigma <= 0.8) {
    blur3(data, width, height, (sigma * sigma) / 2);
    return;
  }
  // Box width giving the variance of a Gaussian after three passes: w² = 4σ² + 1 (rounded to an odd integer).
  const r = Math.max(1, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
  const inv = 1 / (2 * r + 1);
  // The line with r samples of edge replication on both sides, so the sliding window needs no bounds checks.
  const pad = new Float32Array(Math.max(width, height) + 2 * r + 1);
  const pass = (offset: number, step: number, n: number): void => {
    const first = data[offset]!;
    const last = data[offset + (n - 1) * step]!;
    for (let i = 0; i < r; i++) {
      pad[i] = first;
      pad[n + r + i] = last;
    }
    for (let i = 0, o = offset; i < n; i++, o += step) pad[r + i] = data[o]!;
    let acc = 0;
    for (let i = 0; i < 2 * r + 1; i++) acc += pad[i]!;
    for (let i = 0, o = offset; i < n; i++, o += step) {
      data[o] = acc * inv;
      acc += pad[i + 2 * r + 1]! - pad[i]!;
    }
  };
  for (let k = 0; k < 3; k++) {
    for (let y = 0; y < height; y++) pass(y * width, 1, width);
    for (let x = 0; x < width; x++) pass(x, width, height);
  }
}

/** Separable 3-tap blur [a, 1-2a, a] (variance 2a per axis), edges replicated: small sigmas in two passes. */
function blur3(data: Float32Array, width: number, height: number, a: number): void {
  const b = 1 - 2 * a;
  const line = new Float32Array(Math.max(width, height));
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) line[x] = data[o + x]!;
    for (let x = 0; x < width; x++) {
      const l = line[x > 0 ? x - 1 : 0]!;
      const r = line[x < width - 1 ? x + 1 : x]!;
      data[o + x] = b * line[x]! + a * (l + r);
    }
  }
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) line[y] = data[y * width + x]!;
    for (let y = 0; y < height; y++) {
      const u = line[y > 0 ? y - 1 : 0]!;
      const d = line[y < height - 1 ? y + 1 : y]!;
      data[y * width + x] = b * line[y]! + a * (u + d);
    }
  }
}
