import { ensureSharpConfigured } from './sharp-setup';
import { seededRandom } from './synthetic';

/**
 * Image builders for this package's tests (not exported from the index): pixels drawn in memory and encoded with
 * sharp, so every case is generated, seeded and self-describing.
 */

/** RGBA canvas filled with one colour. */
export function canvas(width: number, height: number, rgba: [number, number, number, number]): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) out.set(rgba, i * 4);
  return out;
}

/** Paints a filled axis-aligned rectangle. */
export function rect(
  px: Uint8Array,
  width: number,
  box: { x: number; y: number; w: number; h: number },
  rgba: [number, number, number, number],
): void {
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) px.set(rgba, (y * width + x) * 4);
  }
}

/** Encodes RGBA pixels to a format. */
export async function encode(
  px: Uint8Array,
  width: number,
  height: number,
  format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'avif',
): Promise<Buffer> {
  const sharp = ensureSharpConfigured();
  const img = sharp(Buffer.from(px), { raw: { width, height, channels: 4 } });
  if (format === 'jpeg') return img.flatten({ background: '#ffffff' }).jpeg({ quality: 90 }).toBuffer();
  return img.toFormat(format).toBuffer();
}

/** A "7"-like glyph: dark ink on white paper, a horizontal bar over a vertical stem on the right. */
export function sevenOnPaper(width: number, height: number, ox = 0, oy = 0): Uint8Array {
  const px = canvas(width, height, [245, 245, 240, 255]);
  const s = Math.floor(Math.min(width, height) / 2);
  const t = Math.max(1, Math.floor(s / 8));
  rect(px, width, { x: ox + Math.floor(width / 4), y: oy + Math.floor(height / 4), w: s, h: t }, [20, 20, 30, 255]);
  rect(
    px,
    width,
    { x: ox + Math.floor(width / 4) + s - t, y: oy + Math.floor(height / 4), w: t, h: s },
    [20, 20, 30, 255],
  );
  return px;
}

/** Random RGBA noise. */
export function noise(width: number, height: number, seed: number): Uint8Array {
  const rand = seededRandom(seed);
  const px = new Uint8Array(width * height * 4);
  for (let i = 0; i < px.length; i++) px[i] = Math.floor(rand() * 256);
  return px;
}

/** CRC-32 (PNG chunk checksum). */
export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Rewrites a PNG's IHDR to declare another size, with a valid CRC, so only the pixel limit can refuse it. */
export function patchPngSize(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png);
  // Signature (8) + length (4) + "IHDR" (4): width at 16, height at 20, CRC over type+data at 29.
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

/** A "0"-like glyph (square outline, thickened in its top-left corner so its mass is off centre). */
export function ringOnPaper(width: number, height: number, ox = 0, oy = 0, thickness?: number): Uint8Array {
  const px = canvas(width, height, [245, 245, 240, 255]);
  const s = Math.floor(Math.min(width, height) / 2);
  const t = thickness ?? Math.max(1, Math.floor(s / 8));
  const x = ox + Math.floor(width / 4);
  const y = oy + Math.floor(height / 4);
  const ink: [number, number, number, number] = [20, 20, 30, 255];
  rect(px, width, { x, y, w: s, h: t }, ink);
  rect(px, width, { x, y: y + s - t, w: s, h: t }, ink);
  rect(px, width, { x, y, w: t, h: s }, ink);
  rect(px, width, { x: x + s - t, y, w: t, h: s }, ink);
  rect(px, width, { x, y, w: 3 * t, h: 3 * t }, ink);
  return px;
}
