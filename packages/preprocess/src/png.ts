import * as zlib from 'node:zlib';
import type { Rgba } from './decode';

/**
 * Largest image (pixels) the in-process PNG path takes. Below it libvips' fixed cost per call (two thread-pool
 * hops, pipeline set-up: about 1 ms of CPU for a 28x28 digit) dwarfs the decoding itself; above it libvips wins.
 */
export const PLAIN_PNG_MAX_PIXELS = 128 * 128;

/**
 * Ancillary chunks that carry no pixel meaning for libvips' loader (text, time, physical size, significant bits,
 * background, histograms). Anything else — colour management (gAMA, cHRM, iCCP, sRGB), EXIF orientation, animation,
 * unknown chunks — sends the file to libvips so that the result never depends on which path decoded it.
 */
const IGNORED_CHUNKS = new Set(['tEXt', 'zTXt', 'iTXt', 'tIME', 'pHYs', 'sBIT', 'bKGD', 'hIST', 'sPLT']);

/** Bytes per pixel of the 8-bit colour types: grey, -, RGB, palette, grey+alpha, -, RGBA. */
const BYTES_PER_PIXEL: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** A plain PNG decoded to RGBA, with the band count libvips reports for it. */
export interface PlainPng {
  rgba: Rgba;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA: what `sharp().metadata().channels` says of the same file. */
  channels: number;
}

interface Header {
  width: number;
  height: number;
  colourType: number;
}

function readHeader(buf: Buffer, at: number, len: number): Header | null {
  if (len !== 13) return null;
  const width = buf.readUInt32BE(at);
  const height = buf.readUInt32BE(at + 4);
  const [depth, colourType, compression, filter, interlace] = [
    buf[at + 8],
    buf[at + 9]!,
    buf[at + 10],
    buf[at + 11],
    buf[at + 12],
  ];
  if (depth !== 8 || compression !== 0 || filter !== 0 || interlace !== 0) return null;
  if (BYTES_PER_PIXEL[colourType] === undefined) return null;
  if (width === 0 || height === 0 || width * height > PLAIN_PNG_MAX_PIXELS) return null;
  return { width, height, colourType };
}

/** Reverses the per-row filters; null on an undefined filter type. One loop per filter type, no per-byte branch. */
function unfilter(raw: Buffer, width: number, height: number, bpp: number): Uint8Array | null {
  const stride = width * bpp;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    const up = y > 0;
    if (type === 0) {
      for (let x = 0; x < stride; x++) out[row + x] = raw[src + x]!;
    } else if (type === 1) {
      for (let x = 0; x < stride; x++) out[row + x] = (raw[src + x]! + (x >= bpp ? out[row + x - bpp]! : 0)) & 0xff;
    } else if (type === 2) {
      for (let x = 0; x < stride; x++) out[row + x] = (raw[src + x]! + (up ? out[prev + x]! : 0)) & 0xff;
    } else if (type === 3) {
      for (let x = 0; x < stride; x++) {
        const a = x >= bpp ? out[row + x - bpp]! : 0;
        const b = up ? out[prev + x]! : 0;
        out[row + x] = (raw[src + x]! + ((a + b) >> 1)) & 0xff;
      }
    } else if (type === 4) {
      for (let x = 0; x < stride; x++) {
        const a = x >= bpp ? out[row + x - bpp]! : 0;
        const b = up ? out[prev + x]! : 0;
        const c = x >= bpp && up ? out[prev + x - bpp]! : 0;
        // Paeth predictor, inline (no Math calls in a per-byte loop).
        const p = a + b - c;
        const pa = p > a ? p - a : a - p;
        const pb = p > b ? p - b : b - p;
        const pc = p > c ? p - c : c - p;
        out[row + x] = (raw[src + x]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      }
    } else return null;
  }
  return out;
}

/**
 * Decodes a small, plain PNG (8 bits per sample, not interlaced, no colour management or orientation chunks) to
 * RGBA in TypeScript, exactly as libvips would: palette and tRNS expanded, grey replicated, missing alpha opaque.
 * Returns null for anything outside that subset, or anything malformed (bad CRC, truncated or oversized data,
 * unknown filter), so the caller hands the file to libvips, which decodes it or reports the error the same way
 * it always has. The inflated size is capped at what the header implies, so a deflate bomb costs nothing.
 */
export function decodePlainPng(buf: Buffer): PlainPng | null {
  // zlib.crc32 is Node >= 20.15 / 22.2; on an older runtime every PNG simply takes the libvips path.
  const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  if (buf.length < 8 + 25 + 12 || typeof crc32 !== 'function') return null;
  let at = 8;
  let header: Header | null = null;
  let palette: Buffer | null = null;
  let trns: Buffer | null = null;
  const idat: Buffer[] = [];
  let ended = false;
  while (at + 12 <= buf.length) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const dataAt = at + 8;
    if (len > buf.length - dataAt - 4) return null;
    if (crc32(buf.subarray(at + 4, dataAt + len)) !== buf.readUInt32BE(dataAt + len)) return null;
    const data = buf.subarray(dataAt, dataAt + len);
    at = dataAt + len + 4;
    if (header === null) {
      if (type !== 'IHDR') return null;
      header = readHeader(buf, dataAt, len);
      if (!header) return null;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'PLTE' && palette === null && idat.length === 0) palette = data;
    else if (type === 'tRNS' && trns === null && idat.length === 0) trns = data;
    else if (type === 'IEND') {
      ended = true;
      break;
    } else if (!IGNORED_CHUNKS.has(type)) return null;
  }
  if (!header || !ended || at !== buf.length || idat.length === 0) return null;
  const { width, height, colourType } = header;
  const bpp = BYTES_PER_PIXEL[colourType]!;
  const expected = height * (width * bpp + 1);
  let raw: Buffer;
  try {
    raw = zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: expected });
  } catch {
    return null;
  }
  if (raw.length !== expected) return null;
  const px = unfilter(raw, width, height, bpp);
  if (!px) return null;
  return expand(px, header, palette, trns);
}

function expand(px: Uint8Array, h: Header, palette: Buffer | null, trns: Buffer | null): PlainPng | null {
  const n = h.width * h.height;
  const out = new Uint8Array(n * 4);
  const rgba: Rgba = { data: out, width: h.width, height: h.height };
  switch (h.colourType) {
    case 0: {
      if (trns && trns.length !== 2) return null;
      const key = trns ? trns.readUInt16BE(0) : -1;
      for (let i = 0; i < n; i++) {
        const v = px[i]!;
        out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = v;
        out[i * 4 + 3] = v === key ? 0 : 255;
      }
      return { rgba, channels: trns ? 2 : 1 };
    }
    case 2: {
      if (trns && trns.length !== 6) return null;
      const [kr, kg, kb] = trns ? [trns.readUInt16BE(0), trns.readUInt16BE(2), trns.readUInt16BE(4)] : [-1, -1, -1];
      for (let i = 0; i < n; i++) {
        const r = px[i * 3]!;
        const g = px[i * 3 + 1]!;
        const b = px[i * 3 + 2]!;
        out[i * 4] = r;
        out[i * 4 + 1] = g;
        out[i * 4 + 2] = b;
        out[i * 4 + 3] = r === kr && g === kg && b === kb ? 0 : 255;
      }
      return { rgba, channels: trns ? 4 : 3 };
    }
    case 3: {
      if (!palette || palette.length === 0 || palette.length % 3 !== 0) return null;
      const entries = palette.length / 3;
      if (trns && trns.length > entries) return null;
      for (let i = 0; i < n; i++) {
        const k = px[i]!;
        // An index past the palette is an error libvips may treat its own way: let it decide.
        if (k >= entries) return null;
        out[i * 4] = palette[k * 3]!;
        out[i * 4 + 1] = palette[k * 3 + 1]!;
        out[i * 4 + 2] = palette[k * 3 + 2]!;
        out[i * 4 + 3] = trns && k < trns.length ? trns[k]! : 255;
      }
      return { rgba, channels: trns ? 4 : 3 };
    }
    case 4: {
      if (trns) return null;
      for (let i = 0; i < n; i++) {
        const v = px[i * 2]!;
        out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = v;
        out[i * 4 + 3] = px[i * 2 + 1]!;
      }
      return { rgba, channels: 2 };
    }
    default: {
      if (trns) return null;
      out.set(px);
      return { rgba, channels: 4 };
    }
  }
}
