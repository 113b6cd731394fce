import { ensureSharpConfigured } from './sharp-setup';

/** Deterministic 32-bit PRNG (mulberry32): uploads built from a seed are identical on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A realistic upload built from an MNIST digit, and how it was made. */
export interface SyntheticUpload {
  image: Buffer;
  format: 'jpeg' | 'png';
  width: number;
  height: number;
}

/** Variations of {@link syntheticUpload}. */
export interface SyntheticOptions {
  /**
   * Keep only the cores of the strokes (a fine pen on a large sheet): about half MNIST's relative stroke width,
   * which the preprocessing has to thicken back.
   */
  thinStrokes?: boolean;
}

/** Share of the stroke profile cut away by `thinStrokes`. */
const THIN_CUT = 0.85;

function gaussian(rand: () => number): number {
  const u = Math.max(1e-12, rand());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Re-encodes a 28x28 MNIST digit (light on dark, 0..255) the way users upload digits: dark pen ink on a lighter,
 * larger, slightly tinted sheet at a random offset and scale, with uneven paper shading, sensor noise and the odd
 * speck of dust, saved as JPEG (random quality) or PNG. Everything is drawn from `seed`.
 */
export async function syntheticUpload(
  digit: Uint8Array,
  seed: number,
  format?: 'jpeg' | 'png',
  options: SyntheticOptions = {},
): Promise<SyntheticUpload> {
  const cut = options.thinStrokes ? THIN_CUT : 0;
  const rand = seededRandom(seed);
  const fmt = format ?? (rand() < 0.5 ? 'jpeg' : 'png');
  const scale = 1.5 + rand() * 6.5;
  const size = Math.round(28 * scale);
  const width = Math.round(size * (1.1 + rand() * 1.4));
  const height = Math.round(size * (1.1 + rand() * 1.4));
  const ox = Math.floor(rand() * (width - size));
  const oy = Math.floor(rand() * (height - size));
  const sharp = ensureSharpConfigured();
  const stroke = await sharp(Buffer.from(digit), { raw: { width: 28, height: 28, channels: 1 } })
    .resize(size, size, { kernel: 'cubic' })
    .extractChannel(0)
    .raw()
    .toBuffer();

  const paper = 170 + rand() * 80;
  const tint = [rand() * 16 - 8, rand() * 16 - 8, rand() * 16 - 8];
  const inkLevel = rand() * 80;
  const inkTint = [rand() * 30, rand() * 10, rand() * 50];
  const noise = 2 + rand() * 6;
  // Uneven lighting: a gentle gradient plus a couple of broad waves across the sheet.
  const gx = (rand() - 0.5) * 30;
  const gy = (rand() - 0.5) * 30;
  const waves = [0, 1].map(() => ({ fx: rand() * 4, fy: rand() * 4, ph: rand() * 6.28, amp: rand() * 8 }));
  const specks = rand() < 0.3 ? Math.floor(rand() * 4) : 0;
  const speckAt = Array.from({ length: specks }, () => ({
    x: rand() * width,
    y: rand() * height,
    r: 0.5 + rand() * 1.5,
  }));

  // Shading sin(2π(fx·u + fy·v) + ph) splits into per-column and per-row factors (angle addition), and noise
  // comes from a precomputed Gaussian table: the per-pixel loop then has no Math calls, which keeps generation
  // fast inside jest's sandbox too.
  const colSin = waves.map((w) =>
    Float32Array.from({ length: width }, (_, x) => Math.sin(2 * Math.PI * w.fx * (x / width) + w.ph)),
  );
  const colCos = waves.map((w) =>
    Float32Array.from({ length: width }, (_, x) => Math.cos(2 * Math.PI * w.fx * (x / width) + w.ph)),
  );
  const rowSin = waves.map((w) =>
    Float32Array.from({ length: height }, (_, y) => Math.sin(2 * Math.PI * w.fy * (y / height))),
  );
  const rowCos = waves.map((w) =>
    Float32Array.from({ length: height }, (_, y) => Math.cos(2 * Math.PI * w.fy * (y / height))),
  );
  const table = Float32Array.from({ length: 4096 }, () => gaussian(rand) * noise);
  const alpha = new Float32Array(width * height);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const a = (stroke[y * size + x]! / 255 - cut) / (1 - cut);
      alpha[(y + oy) * width + x + ox] = a < 0 ? 0 : a;
    }
  }
  for (const sp of speckAt) {
    for (let y = Math.max(0, Math.floor(sp.y - sp.r)); y <= Math.min(height - 1, Math.ceil(sp.y + sp.r)); y++) {
      for (let x = Math.max(0, Math.floor(sp.x - sp.r)); x <= Math.min(width - 1, Math.ceil(sp.x + sp.r)); x++) {
        if ((x - sp.x) ** 2 + (y - sp.y) ** 2 <= sp.r * sp.r)
          alpha[y * width + x] = Math.max(alpha[y * width + x]!, 0.8);
      }
    }
  }
  const out = Buffer.alloc(width * height * 3);
  let k = Math.floor(rand() * 4096);
  for (let y = 0; y < height; y++) {
    const v = y / height - 0.5;
    for (let x = 0; x < width; x++) {
      let shade = gx * (x / width - 0.5) + gy * v;
      for (let w = 0; w < waves.length; w++) {
        shade += waves[w]!.amp * (colSin[w]![x]! * rowCos[w]![y]! + colCos[w]![x]! * rowSin[w]![y]!);
      }
      const a = alpha[y * width + x]!;
      k = (k * 1103515245 + 12345) & 4095;
      const n = table[k]!;
      for (let c = 0; c < 3; c++) {
        const value = (paper + tint[c]! + shade) * (1 - a) + (inkLevel + inkTint[c]!) * a + n + 0.5;
        out[(y * width + x) * 3 + c] = value < 0 ? 0 : value > 255 ? 255 : value;
      }
    }
  }
  const img = sharp(out, { raw: { width, height, channels: 3 } });
  const image =
    fmt === 'jpeg'
      ? await img.jpeg({ quality: Math.round(60 + rand() * 35) }).toBuffer()
      : await img.png({ compressionLevel: 1 }).toBuffer();
  return { image, format: fmt, width, height };
}
