/** A detected container format and its media type. */
export interface DetectedType {
  format: string;
  mime: string;
}

/** Formats the preprocessing decodes; everything else detected is refused with 415 naming it. */
export const SUPPORTED_FORMATS: ReadonlySet<string> = new Set(['png', 'jpeg', 'webp', 'gif', 'tiff', 'avif', 'bmp']);

const MIME: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  avif: 'image/avif',
  heic: 'image/heic',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  postscript: 'application/postscript',
  ico: 'image/x-icon',
  psd: 'image/vnd.adobe.photoshop',
  jp2: 'image/jp2',
  jxl: 'image/jxl',
  qoi: 'image/qoi',
  exr: 'image/x-exr',
  hdr: 'image/vnd.radiance',
  pnm: 'image/x-portable-anymap',
  fits: 'image/fits',
  vips: 'image/x-vips',
  mp4: 'video/mp4',
  quicktime: 'video/quicktime',
  matroska: 'video/x-matroska',
  zip: 'application/zip',
  gzip: 'application/gzip',
  html: 'text/html',
  xml: 'application/xml',
  json: 'application/json',
  text: 'text/plain',
  elf: 'application/x-executable',
};

function startsWith(buf: Buffer, bytes: readonly number[], offset = 0): boolean {
  if (buf.length < offset + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[offset + i] !== bytes[i]) return false;
  return true;
}

function ascii(buf: Buffer, start: number, end: number): string {
  return buf.subarray(start, Math.min(end, buf.length)).toString('latin1');
}

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);

/** ISO-BMFF (`ftyp` box): AVIF is accepted; HEIC (no decoder shipped) and video containers are named. */
function isoBmff(buf: Buffer): string | null {
  if (buf.length < 12 || ascii(buf, 4, 8) !== 'ftyp') return null;
  const boxSize = buf.readUInt32BE(0);
  const end = Math.min(buf.length, boxSize >= 16 && boxSize <= 4096 ? boxSize : 64);
  const brands = [ascii(buf, 8, 12)];
  for (let o = 16; o + 4 <= end; o += 4) brands.push(ascii(buf, o, o + 4));
  if (brands.includes('avif') || brands.includes('avis')) return 'avif';
  if (brands.some((b) => HEIC_BRANDS.has(b))) return 'heic';
  if (brands[0] === 'mif1' || brands[0] === 'msf1') return 'heic';
  if (brands[0] === 'qt  ') return 'quicktime';
  return 'mp4';
}

/** BMP: "BM" and a known DIB header size, so that random text starting with "BM" is not taken for a bitmap. */
function isBmp(buf: Buffer): boolean {
  if (buf.length < 26 || !startsWith(buf, [0x42, 0x4d])) return false;
  return [12, 16, 40, 52, 56, 64, 108, 124].includes(buf.readUInt32LE(14));
}

/** Text-based formats: SVG (also behind an XML prolog or comments), HTML, XML, JSON, plain text. */
function textual(buf: Buffer): string | null {
  const head = buf.subarray(0, 4096);
  let printable = 0;
  for (const b of head) if (b === 9 || b === 10 || b === 13 || (b >= 32 && b !== 127)) printable++;
  if (head.length === 0 || printable < head.length * 0.95) return null;
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (/<svg[\s>/]/.test(text)) return 'svg';
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) return 'html';
  if (text.startsWith('<?xml') || text.startsWith('<')) return 'xml';
  if (text.startsWith('{') || text.startsWith('[')) return 'json';
  return 'text';
}

function detectFormat(buf: Buffer): string | null {
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(buf, 0, 6) === 'GIF87a' || ascii(buf, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(buf, 0, 4) === 'RIFF' && ascii(buf, 8, 12) === 'WEBP') return 'webp';
  if (startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(buf, [0x49, 0x49, 0x2b, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  const iso = isoBmff(buf);
  if (iso) return iso;
  if (isBmp(buf)) return 'bmp';
  if (ascii(buf, 0, 5) === '%PDF-') return 'pdf';
  if (ascii(buf, 0, 4) === '%!PS') return 'postscript';
  if (startsWith(buf, [0x00, 0x00, 0x01, 0x00]) && buf.length >= 6) return 'ico';
  if (ascii(buf, 0, 4) === '8BPS') return 'psd';
  if (startsWith(buf, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(buf, [0xff, 0x4f, 0xff, 0x51]))
    return 'jp2';
  if (startsWith(buf, [0xff, 0x0a]) || startsWith(buf, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'jxl';
  if (ascii(buf, 0, 4) === 'qoif') return 'qoi';
  if (startsWith(buf, [0x76, 0x2f, 0x31, 0x01])) return 'exr';
  if (ascii(buf, 0, 10) === '#?RADIANCE' || ascii(buf, 0, 6) === '#?RGBE') return 'hdr';
  if (ascii(buf, 0, 9) === 'SIMPLE  =') return 'fits';
  if (startsWith(buf, [0x08, 0xf2, 0xa6, 0xb6]) || startsWith(buf, [0xb6, 0xa6, 0xf2, 0x08])) return 'vips';
  if (startsWith(buf, [0x1a, 0x45, 0xdf, 0xa3])) return 'matroska';
  if (startsWith(buf, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (startsWith(buf, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(buf, [0x7f, 0x45, 0x4c, 0x46])) return 'elf';
  if (/^P[1-7]\s/.test(ascii(buf, 0, 3))) return 'pnm';
  return textual(buf);
}

/**
 * Identifies an upload from its magic bytes only (never its name or declared Content-Type). Returns null when
 * nothing is recognised. Recognises more than it accepts (SVG, PDF, HEIC, ...) so refusals can name the type.
 */
export function detectImageType(buf: Buffer): DetectedType | null {
  const format = detectFormat(buf);
  if (format === null) return null;
  return { format, mime: MIME[format] ?? 'application/octet-stream' };
}

/** Width and height declared by a BMP header (height may be negative for top-down rows). */
export function bmpHeaderSize(buf: Buffer): { width: number; height: number } | null {
  if (!isBmp(buf)) return null;
  const dib = buf.readUInt32LE(14);
  if (dib === 12) return { width: buf.readUInt16LE(18), height: buf.readUInt16LE(20) };
  return { width: Math.abs(buf.readInt32LE(18)), height: Math.abs(buf.readInt32LE(22)) };
}
