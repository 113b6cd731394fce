import { readFileSync, readdirSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { assetPath } from '@mserve/common';
import fc from 'fast-check';
import { decodeUpload, decodeWithLibvips } from './decode';
import { decodePlainPng, PLAIN_PNG_MAX_PIXELS } from './png';
import { DEFAULT_LIMITS } from './types';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BPP: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function ihdr(width: number, height: number, colourType: number, depth = 8, interlace = 0): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(width, 0);
  b.writeUInt32BE(height, 4);
  b[8] = depth;
  b[9] = colourType;
  b[12] = interlace;
  return chunk('IHDR', b);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Applies PNG filter `types[y]` to each row: an encoder independent of the decoder under test. */
function filterRows(px: Uint8Array, width: number, height: number, bpp: number, types: number[]): Buffer {
  const stride = width * bpp;
  const out = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const t = types[y % types.length]!;
    out[y * (stride + 1)] = t;
    for (let x = 0; x < stride; x++) {
      const v = px[y * stride + x]!;
      const a = x >= bpp ? px[y * stride + x - bpp]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? px[(y - 1) * stride + x - bpp]! : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][t]!;
      out[y * (stride + 1) + 1 + x] = (v - pred) & 0xff;
    }
  }
  return out;
}

interface PngSpec {
  width: number;
  height: number;
  colourType: number;
  pixels: Uint8Array;
  filters: number[];
  palette?: Buffer;
  trns?: Buffer;
  extra?: Buffer[];
  idatParts?: number;
}

function encodePng(s: PngSpec): Buffer {
  const z = deflateSync(filterRows(s.pixels, s.width, s.height, BPP[s.colourType]!, s.filters));
  const parts = Math.max(1, s.idatParts ?? 1);
  const size = Math.ceil(z.length / parts);
  const idat: Buffer[] = [];
  for (let i = 0; i < z.length; i += size) idat.push(chunk('IDAT', z.subarray(i, i + size)));
  return Buffer.concat([
    SIGNATURE,
    ihdr(s.width, s.height, s.colourType),
    ...(s.extra ?? []),
    ...(s.palette ? [chunk('PLTE', s.palette)] : []),
    ...(s.trns ? [chunk('tRNS', s.trns)] : []),
    ...idat,
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function expectSameAsLibvips(png: Buffer): Promise<void> {
  const fast = decodePlainPng(png);
  expect(fast).not.toBeNull();
  const slow = await decodeWithLibvips(png, 'png', DEFAULT_LIMITS);
  expect({ w: fast!.rgba.width, h: fast!.rgba.height, channels: fast!.channels }).toEqual({
    w: slow.rgba.width,
    h: slow.rgba.height,
    channels: slow.channels,
  });
  expect(Buffer.from(fast!.rgba.data).equals(Buffer.from(slow.rgba.data))).toBe(true);
}

const u16 = (...vs: number[]) => Buffer.from(vs.flatMap((v) => [v >> 8, v & 0xff]));

const specArb: fc.Arbitrary<PngSpec> = fc
  .record({
    width: fc.integer({ min: 1, max: 40 }),
    height: fc.integer({ min: 1, max: 40 }),
    colourType: fc.constantFrom(0, 2, 3, 4, 6),
    filters: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 5 }),
    seed: fc.integer(),
    withTrns: fc.boolean(),
    text: fc.boolean(),
    idatParts: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ width, height, colourType, filters, seed, withTrns, text, idatParts }) => {
    let state = seed >>> 0 || 1;
    const rnd = (n: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % n;
    };
    const entries = 1 + rnd(255);
    // Few distinct values, so the tRNS colour key actually occurs.
    const level = () => [0, 37, 128, 200, 255][rnd(5)]!;
    const pixels = Uint8Array.from({ length: width * height * BPP[colourType]! }, () =>
      colourType === 3 ? rnd(entries) : level(),
    );
    const spec: PngSpec = { width, height, colourType, pixels, filters, idatParts };
    if (colourType === 3) spec.palette = Buffer.from(Array.from({ length: entries * 3 }, () => rnd(256)));
    if (withTrns && colourType === 0) spec.trns = u16(level());
    if (withTrns && colourType === 2) spec.trns = u16(level(), level(), level());
    if (withTrns && colourType === 3) spec.trns = Buffer.from(Array.from({ length: 1 + rnd(entries) }, () => rnd(256)));
    if (text) spec.extra = [chunk('tEXt', Buffer.from('Comment\0digit')), chunk('pHYs', Buffer.alloc(9))];
    return spec;
  });

describe('in-process PNG decoding', () => {
  it('decodes every sample PNG upload exactly as libvips does', async () => {
    const dir = assetPath('data/images');
    const pngs = readdirSync(dir).filter((f) => f.endsWith('.png'));
    let decoded = 0;
    for (const f of pngs) {
      const buf = readFileSync(`${dir}/${f}`);
      if (decodePlainPng(buf) === null) continue; // large or colour-managed: libvips' job
      await expectSameAsLibvips(buf);
      decoded++;
    }
    expect(decoded).toBeGreaterThanOrEqual(5);
  });

  it('matches libvips pixel for pixel on random plain PNGs of every colour type, filter and tRNS', async () => {
    await fc.assert(
      fc.asyncProperty(specArb, async (spec) => {
        await expectSameAsLibvips(encodePng(spec));
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('leaves files outside the plain subset to libvips', () => {
    const grey = { width: 4, height: 4, colourType: 0, pixels: new Uint8Array(16), filters: [0] };
    const plain = encodePng(grey);
    expect(decodePlainPng(plain)).not.toBeNull();
    const withChunk = (type: string) => encodePng({ ...grey, extra: [chunk(type, Buffer.alloc(4))] });
    for (const type of ['gAMA', 'cHRM', 'iCCP', 'sRGB', 'eXIf', 'acTL', 'abCD', 'quUX']) {
      expect(decodePlainPng(withChunk(type))).toBeNull();
    }
    const replaceHeader = (h: Buffer) => Buffer.concat([SIGNATURE, h, plain.subarray(8 + 25)]);
    expect(decodePlainPng(replaceHeader(ihdr(4, 4, 0, 16)))).toBeNull();
    expect(decodePlainPng(replaceHeader(ihdr(4, 4, 0, 1)))).toBeNull();
    expect(decodePlainPng(replaceHeader(ihdr(4, 4, 0, 8, 1)))).toBeNull();
    const side = Math.sqrt(PLAIN_PNG_MAX_PIXELS) + 1;
    const big = { width: side, height: side, colourType: 0, pixels: new Uint8Array(side * side), filters: [0] };
    expect(decodePlainPng(encodePng(big))).toBeNull();
  });

  it('refuses malformed files so that libvips reports the error', () => {
    const grey = { width: 8, height: 8, colourType: 0, pixels: new Uint8Array(64).fill(9), filters: [1] };
    const plain = encodePng(grey);
    const badCrc = Buffer.from(plain);
    badCrc.writeUInt8(badCrc.readUInt8(8 + 25 + 9) ^ 0xff, 8 + 25 + 9);
    expect(decodePlainPng(badCrc)).toBeNull();
    expect(decodePlainPng(plain.subarray(0, plain.length - 12))).toBeNull(); // no IEND
    expect(decodePlainPng(Buffer.concat([plain, Buffer.from('trailing')]))).toBeNull();
    const badFilter = Buffer.concat([
      SIGNATURE,
      ihdr(2, 2, 0),
      chunk('IDAT', deflateSync(Buffer.from([0, 1, 2, 7, 3, 4]))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    expect(decodePlainPng(badFilter)).toBeNull();
    const shortData = Buffer.concat([
      SIGNATURE,
      ihdr(4, 4, 0),
      chunk('IDAT', deflateSync(Buffer.alloc(10))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    expect(decodePlainPng(shortData)).toBeNull();
    const outOfPalette = encodePng({
      width: 2,
      height: 1,
      colourType: 3,
      pixels: Uint8Array.from([0, 5]),
      filters: [0],
      palette: Buffer.alloc(6),
    });
    expect(decodePlainPng(outOfPalette)).toBeNull();
  });

  it('stops inflating at the size the header implies (a deflate bomb costs nothing)', () => {
    const bomb = Buffer.concat([
      SIGNATURE,
      ihdr(4, 4, 0),
      chunk('IDAT', deflateSync(Buffer.alloc(64 * 1024 * 1024))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    const t0 = performance.now();
    expect(decodePlainPng(bomb)).toBeNull();
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('gives decodeUpload the same pixels and facts as libvips for a plain digit', async () => {
    const buf = readFileSync(assetPath('data/images/3.png'));
    const viaUpload = await decodeUpload(buf, DEFAULT_LIMITS);
    const viaLibvips = await decodeWithLibvips(buf, 'png', DEFAULT_LIMITS);
    expect({ ...viaUpload, rgba: undefined }).toEqual({ ...viaLibvips, rgba: undefined });
    expect(Buffer.from(viaUpload.rgba.data).equals(Buffer.from(viaLibvips.rgba.data))).toBe(true);
  });
});
