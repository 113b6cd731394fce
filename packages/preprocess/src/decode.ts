import { AppError } from '@mserve/common';
import { defaultFormats } from 'jimp';
import type { Sharp } from 'sharp';
import { bmpHeaderSize, detectImageType, SUPPORTED_FORMATS } from './detect';
import { decodePlainPng } from './png';
import { ensureSharpConfigured } from './sharp-setup';
import type { PreprocessLimits, RawPixels } from './types';

/** Longest side the analysis works at; larger images are downscaled while decoding (box-filtered by libvips). */
export const WORKING_MAX_SIDE = 512;

/** Interleaved RGBA, 8 bits per channel, at working resolution. */
export interface Rgba {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A decoded upload at working resolution plus what its header said. */
export interface Decoded {
  rgba: Rgba;
  format: string;
  /** Size after orientation, pixels. */
  width: number;
  height: number;
  channels: number;
  orientation: number;
}

function refuseType(buf: Buffer): never {
  const head = buf.subarray(0, 8).toString('hex');
  throw new AppError('IMAGE_UNSUPPORTED_TYPE', `unrecognised image type (first bytes ${head})`, {
    detected: 'unknown',
  });
}

function checkPixels(width: number, height: number, limits: PreprocessLimits): void {
  if (!(width > 0 && height > 0)) {
    throw new AppError('IMAGE_UNDECODABLE', `image header declares an empty size ${width}x${height}`);
  }
  if (width * height > limits.maxPixels) {
    throw new AppError(
      'IMAGE_TOO_MANY_PIXELS',
      `image declares ${width}x${height} = ${width * height} pixels, above the limit of ${limits.maxPixels}`,
      { width, height, maxPixels: limits.maxPixels },
    );
  }
}

/** Maps a libvips/jimp failure to the documented client error. */
function decodeError(err: unknown, format: string): AppError {
  if (err instanceof AppError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(msg)) {
    return new AppError('IMAGE_TOO_MANY_PIXELS', `image exceeds the pixel limit (${msg})`);
  }
  if (/blocked/i.test(msg)) {
    return new AppError('IMAGE_UNSUPPORTED_TYPE', `image type ${format} is not accepted`, { detected: format });
  }
  return new AppError('IMAGE_UNDECODABLE', `corrupt or truncated ${format} image: ${msg.slice(0, 200)}`, {
    detected: format,
  });
}

/** Converts a sharp pipeline's output to RGBA at working resolution. */
async function toWorkingRgba(pipeline: Sharp): Promise<Rgba> {
  const { data, info } = await pipeline
    .resize({ width: WORKING_MAX_SIDE, height: WORKING_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`expected 4 channels after conversion, got ${info.channels}`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** RGBA of already-decoded pixels, downscaled to working resolution when larger. */
export async function rawToWorking(px: RawPixels): Promise<Rgba> {
  const { width, height, channels } = px;
  const n = width * height;
  if (Math.max(width, height) <= WORKING_MAX_SIDE) {
    const out = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      const s = i * channels;
      const r = px.data[s]!;
      out[i * 4] = r;
      out[i * 4 + 1] = channels === 1 ? r : px.data[s + 1]!;
      out[i * 4 + 2] = channels === 1 ? r : px.data[s + 2]!;
      out[i * 4 + 3] = channels === 4 ? px.data[s + 3]! : 255;
    }
    return { data: out, width, height };
  }
  const sharp = ensureSharpConfigured();
  const input = Buffer.from(px.data.buffer, px.data.byteOffset, px.data.byteLength);
  return toWorkingRgba(sharp(input, { raw: { width, height, channels } }));
}

/**
 * jimp's pure-JS BMP decoder, taken directly rather than through `Jimp.fromBuffer`, which sniffs the type again
 * with an ESM-only module (dynamic import) and would decode any format jimp knows, not just the BMP we detected.
 */
function bmpDecoder(): (buf: Buffer) => { width: number; height: number; data: Buffer | Uint8Array } {
  for (const make of defaultFormats) {
    const format = make();
    if (format.mime === 'image/bmp' && 'decode' in format && format.decode) {
      const decode = format.decode as (b: Buffer) => { width: number; height: number; data: Buffer };
      return decode;
    }
  }
  throw new Error('jimp has no BMP decoder');
}

async function decodeBmp(buf: Buffer, limits: PreprocessLimits): Promise<Decoded> {
  const size = bmpHeaderSize(buf);
  if (!size) throw new AppError('IMAGE_UNDECODABLE', 'corrupt bmp header');
  checkPixels(size.width, size.height, limits);
  // Uncompressed rows must all be present: refuse a truncated file before the decoder allocates the full bitmap.
  const dib = buf.readUInt32LE(14);
  const compression = dib >= 40 ? buf.readUInt32LE(30) : 0;
  const bpp = buf.readUInt16LE(dib === 12 ? 24 : 28);
  const rowBytes = Math.floor((bpp * size.width + 31) / 32) * 4;
  if ([0, 3, 6].includes(compression) && buf.readUInt32LE(10) + rowBytes * size.height > buf.length) {
    throw new AppError('IMAGE_UNDECODABLE', 'corrupt or truncated bmp image: pixel rows missing', { detected: 'bmp' });
  }
  let bitmap: { width: number; height: number; data: Buffer | Uint8Array };
  try {
    bitmap = await bmpDecoder()(buf);
  } catch (err) {
    throw decodeError(err, 'bmp');
  }
  const { width, height, data } = bitmap;
  if (width !== size.width || height !== size.height || data.length !== width * height * 4) {
    throw new AppError('IMAGE_UNDECODABLE', 'corrupt bmp: decoded size disagrees with the header');
  }
  const rgba = await rawToWorking({ data, width, height, channels: 4 });
  return { rgba, format: 'bmp', width, height, channels: buf.readUInt16LE(28) >= 32 ? 4 : 3, orientation: 1 };
}

/**
 * Decodes an untrusted upload: type from magic bytes, size and pixel limits checked before any pixel is decoded
 * (the pixel count comes from the header), strict libvips decoding of the first frame/page only, EXIF orientation
 * applied, downscaled to working resolution. Every failure is an {@link AppError} with a 4xx code.
 */
export async function decodeUpload(buf: Buffer, limits: PreprocessLimits): Promise<Decoded> {
  if (buf.length === 0) throw new AppError('IMAGE_EMPTY', 'the image is empty (0 bytes)');
  if (buf.length > limits.maxBytes) {
    throw new AppError('IMAGE_TOO_LARGE', `image is ${buf.length} bytes, above the limit of ${limits.maxBytes}`, {
      bytes: buf.length,
      maxBytes: limits.maxBytes,
    });
  }
  const type = detectImageType(buf);
  if (!type) refuseType(buf);
  if (!SUPPORTED_FORMATS.has(type.format)) {
    throw new AppError('IMAGE_UNSUPPORTED_TYPE', `image type ${type.format} (${type.mime}) is not accepted`, {
      detected: type.format,
    });
  }
  if (type.format === 'bmp') return decodeBmp(buf, limits);
  if (type.format === 'png') {
    // Small plain PNGs (the common digit upload) skip libvips' per-call cost; its output is identical (tested).
    const plain = decodePlainPng(buf);
    if (plain && plain.rgba.width * plain.rgba.height <= limits.maxPixels) {
      const { width, height } = plain.rgba;
      return { rgba: plain.rgba, format: 'png', width, height, channels: plain.channels, orientation: 1 };
    }
  }

  return decodeWithLibvips(buf, type.format, limits);
}

/** The general decoder: libvips, strict, first page only, EXIF-oriented, downscaled to working resolution. */
export async function decodeWithLibvips(buf: Buffer, format: string, limits: PreprocessLimits): Promise<Decoded> {
  const sharp = ensureSharpConfigured();
  const options = { failOn: 'error', limitInputPixels: limits.maxPixels, pages: 1, page: 0 } as const;
  try {
    const meta = await sharp(buf, options).metadata();
    const w = meta.width ?? 0;
    const h = meta.height ?? 0;
    checkPixels(w, h, limits);
    const orientation = meta.orientation ?? 1;
    const swap = orientation >= 5 && orientation <= 8;
    const rgba = await toWorkingRgba(sharp(buf, { ...options, autoOrient: true }));
    return {
      rgba,
      format,
      width: swap ? h : w,
      height: swap ? w : h,
      channels: meta.channels ?? 0,
      orientation,
    };
  } catch (err) {
    throw decodeError(err, format);
  }
}
