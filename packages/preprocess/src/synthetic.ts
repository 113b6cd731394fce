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
): Promise<SyntheticUpload> {
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

  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      let shade = gx * (u - 0.5) + gy * (v - 0.5);
      for (const w of waves) shade += w.amp * Math.sin(2 * Math.PI * (w.fx * u + w.fy * v) + w.ph);
      const inside = x >= ox && x < ox + size && y >= oy && y < oy + size;
      let a = inside ? stroke[(y - oy) * size + (x - ox)]! / 255 : 0;
      for (const s of speckAt) if (Math.hypot(x - s.x, y - s.y) <= s.r) a = Math.max(a, 0.8);
      const n = gaussian(rand) * noise;
      for (let c = 0; c < 3; c++) {
        const bg = paper + tint[c]! + shade;
        const ink = inkLevel + inkTint[c]!;
        out[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(bg * (1 - a) + ink * a + n)));
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
