import { AppError } from '@mserve/common';
import { Jimp } from 'jimp';
import { preprocess } from './preprocess';
import { ensureSharpConfigured } from './sharp-setup';
import { canvas, encode, noise, patchPngSize, rect, sevenOnPaper } from './test-images';
import type { PreprocessResult } from './types';

const sharp = ensureSharpConfigured();
const GREY = { inputShape: [28, 28] };

type Expect = 'valid' | { code: string; status: number; mentions?: string };

interface Case {
  name: string;
  build: () => Promise<Buffer>;
  expect: Expect;
}

async function animatedGif(): Promise<Buffer> {
  // Frame 1: a tall bar; frame 2: a wide bar. Only frame 1 may be read.
  const w = 60;
  const h = 60;
  const f1 = canvas(w, h, [255, 255, 255, 255]);
  rect(f1, w, { x: 27, y: 5, w: 6, h: 50 }, [0, 0, 0, 255]);
  const f2 = canvas(w, h, [255, 255, 255, 255]);
  rect(f2, w, { x: 5, y: 27, w: 50, h: 6 }, [0, 0, 0, 255]);
  const both = Buffer.concat([Buffer.from(f1), Buffer.from(f2)]);
  return sharp(both, { raw: { width: w, height: 2 * h, channels: 4, pageHeight: h } })
    .gif()
    .toBuffer();
}

async function multiPageTiff(): Promise<Buffer> {
  const w = 60;
  const h = 60;
  const p1 = canvas(w, h, [255, 255, 255, 255]);
  rect(p1, w, { x: 27, y: 5, w: 6, h: 50 }, [0, 0, 0, 255]);
  const p2 = noise(w, h, 7);
  const both = Buffer.concat([Buffer.from(p1), Buffer.from(p2)]);
  return sharp(both, { raw: { width: w, height: 2 * h, channels: 4, pageHeight: h } })
    .tiff()
    .toBuffer();
}

async function bmp(width: number, height: number): Promise<Buffer> {
  const image = new Jimp({ width, height, color: 0xffffffff });
  const px = sevenOnPaper(width, height);
  image.bitmap.data.set(px);
  return image.getBuffer('image/bmp');
}

const cases: Case[] = [
  { name: 'empty file', build: async () => Buffer.alloc(0), expect: { code: 'IMAGE_EMPTY', status: 422 } },
  {
    name: 'truncated PNG',
    build: async () => {
      const png = await encode(noise(128, 128, 1), 128, 128, 'png');
      return png.subarray(0, Math.floor(png.length / 2));
    },
    expect: { code: 'IMAGE_UNDECODABLE', status: 422 },
  },
  {
    name: 'truncated JPEG',
    build: async () => {
      const jpg = await encode(noise(128, 128, 2), 128, 128, 'jpeg');
      return jpg.subarray(0, Math.floor(jpg.length / 2));
    },
    expect: { code: 'IMAGE_UNDECODABLE', status: 422 },
  },
  {
    name: 'text file named .png',
    build: async () => Buffer.from('hello, I am definitely a picture.png\n'),
    expect: { code: 'IMAGE_UNSUPPORTED_TYPE', status: 415, mentions: 'text' },
  },
  {
    name: 'SVG',
    build: async () =>
      Buffer.from(
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><circle r="4"/></svg>',
      ),
    expect: { code: 'IMAGE_UNSUPPORTED_TYPE', status: 415, mentions: 'svg' },
  },
  {
    name: 'PDF',
    build: async () => Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF'),
    expect: { code: 'IMAGE_UNSUPPORTED_TYPE', status: 415, mentions: 'pdf' },
  },
  {
    name: 'HEIC (no decoder shipped)',
    build: async () => Buffer.from('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic' + '\x00'.repeat(64), 'latin1'),
    expect: { code: 'IMAGE_UNSUPPORTED_TYPE', status: 415, mentions: 'heic' },
  },
  {
    name: 'PNG declaring 20000x20000 (decompression bomb)',
    build: async () => patchPngSize(await encode(canvas(16, 16, [0, 0, 0, 255]), 16, 16, 'png'), 20000, 20000),
    expect: { code: 'IMAGE_TOO_MANY_PIXELS', status: 413 },
  },
  {
    name: 'BMP declaring 30000x30000',
    build: async () => {
      const b = await bmp(8, 8);
      b.writeInt32LE(30000, 18);
      b.writeInt32LE(30000, 22);
      return b;
    },
    expect: { code: 'IMAGE_TOO_MANY_PIXELS', status: 413 },
  },
  {
    name: 'BMP declaring 6000x6000 (within the pixel limit) with almost no data',
    build: async () => {
      const b = await bmp(8, 8);
      b.writeInt32LE(6000, 18);
      b.writeInt32LE(6000, 22);
      return b;
    },
    expect: { code: 'IMAGE_UNDECODABLE', status: 422 },
  },
  { name: '1x1 PNG', build: () => encode(canvas(1, 1, [0, 0, 0, 255]), 1, 1, 'png'), expect: 'valid' },
  { name: '600x3 PNG', build: () => encode(noise(600, 3, 3), 600, 3, 'png'), expect: 'valid' },
  {
    name: 'CMYK JPEG',
    build: () =>
      sharp(Buffer.from(sevenOnPaper(80, 80)), { raw: { width: 80, height: 80, channels: 4 } })
        .removeAlpha()
        .toColourspace('cmyk')
        .jpeg()
        .toBuffer(),
    expect: 'valid',
  },
  {
    name: '16-bit PNG',
    build: () =>
      sharp(Buffer.from(sevenOnPaper(80, 80)), { raw: { width: 80, height: 80, channels: 4 } })
        .toColourspace('rgb16')
        .png()
        .toBuffer(),
    expect: 'valid',
  },
  {
    name: 'palette PNG with alpha',
    build: async () => {
      const px = canvas(64, 64, [0, 0, 0, 0]);
      rect(px, 64, { x: 28, y: 8, w: 8, h: 48 }, [10, 10, 200, 255]);
      return sharp(Buffer.from(px), { raw: { width: 64, height: 64, channels: 4 } })
        .png({ palette: true })
        .toBuffer();
    },
    expect: 'valid',
  },
  { name: 'animated GIF', build: animatedGif, expect: 'valid' },
  { name: 'multi-page TIFF', build: multiPageTiff, expect: 'valid' },
  { name: 'WebP', build: () => encode(sevenOnPaper(70, 50), 70, 50, 'webp'), expect: 'valid' },
  { name: 'AVIF', build: () => encode(sevenOnPaper(64, 64), 64, 64, 'avif'), expect: 'valid' },
  { name: 'BMP', build: () => bmp(40, 30), expect: 'valid' },
  {
    name: 'truncated BMP',
    build: async () => (await bmp(40, 30)).subarray(0, 80),
    expect: { code: 'IMAGE_UNDECODABLE', status: 422 },
  },
  {
    name: 'random bytes',
    build: async () => Buffer.from(noise(64, 64, 11)),
    expect: { code: 'IMAGE_UNSUPPORTED_TYPE', status: 415 },
  },
  {
    name: 'PNG signature followed by garbage',
    build: async () =>
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(noise(16, 16, 5))]),
    expect: { code: 'IMAGE_UNDECODABLE', status: 422 },
  },
];

async function outcome(buf: Buffer): Promise<PreprocessResult | AppError> {
  try {
    return await preprocess(buf, GREY);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

describe('preprocess on a hostile corpus', () => {
  it.each(cases)('$name: valid input or the documented 4xx code', async ({ build, expect: want }) => {
    const result = await outcome(await build());
    if (want === 'valid') {
      expect(result).not.toBeInstanceOf(AppError);
      const r = result as PreprocessResult;
      expect(r.tensor).toHaveLength(784);
      expect(r.tensor.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
    } else {
      expect(result).toBeInstanceOf(AppError);
      const err = result as AppError;
      expect({ code: err.code, status: err.status }).toEqual({ code: want.code, status: want.status });
      if (want.mentions) expect(err.message).toContain(want.mentions);
    }
  });

  it('refuses the bomb from its header, before decoding (fast, whatever the declared size)', async () => {
    const bomb = patchPngSize(await encode(canvas(16, 16, [0, 0, 0, 255]), 16, 16, 'png'), 60000, 60000);
    const started = performance.now();
    await expect(preprocess(bomb, GREY)).rejects.toMatchObject({ code: 'IMAGE_TOO_MANY_PIXELS' });
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('applies limits given per call: bytes and pixels', async () => {
    const png = await encode(noise(100, 100, 4), 100, 100, 'png');
    await expect(preprocess(png, { ...GREY, limits: { maxBytes: 1000 } })).rejects.toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      status: 413,
    });
    await expect(preprocess(png, { ...GREY, limits: { maxPixels: 9999 } })).rejects.toMatchObject({
      code: 'IMAGE_TOO_MANY_PIXELS',
      status: 413,
    });
  });

  it('never lifts a limit when given an undefined, NaN or negative value', async () => {
    const bomb = patchPngSize(await encode(canvas(16, 16, [0, 0, 0, 255]), 16, 16, 'png'), 20000, 20000);
    for (const maxPixels of [undefined, Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      await expect(preprocess(bomb, { ...GREY, limits: { maxPixels } })).rejects.toMatchObject({
        code: 'IMAGE_TOO_MANY_PIXELS',
      });
    }
  });

  it('reads only the first frame of an animated GIF and the first page of a TIFF', async () => {
    for (const buf of [await animatedGif(), await multiPageTiff()]) {
      const r = await preprocess(buf, GREY);
      expect(r.facts.height).toBe(60);
      // Frame/page 1 is a tall bar on white; the second (wide bar, noise) would not look like this.
      expect(r.facts.inverted).toBe(true);
      expect(r.facts.bboxAspect).toBeGreaterThan(5);
    }
  });

  it('applies the EXIF orientation (a tall bar stored sideways with orientation 6 comes out tall)', async () => {
    // Stored: a wide bar in a 120x60 picture. Orientation 6 means "rotate 90° clockwise to display".
    const px = canvas(120, 60, [255, 255, 255, 255]);
    rect(px, 120, { x: 10, y: 27, w: 80, h: 6 }, [0, 0, 0, 255]);
    const jpeg = await sharp(Buffer.from(px), { raw: { width: 120, height: 60, channels: 4 } })
      .flatten()
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const r = await preprocess(jpeg, GREY);
    expect(r.facts.orientation).toBe(6);
    expect({ w: r.facts.width, h: r.facts.height }).toEqual({ w: 60, h: 120 });
    expect(r.facts.bboxAspect).toBeGreaterThan(5);
  });

  it('keeps memory bounded over repeated hostile decodes', async () => {
    const corpus = await Promise.all(cases.map((c) => c.build()));
    const round = async (): Promise<void> => {
      for (const buf of corpus) await outcome(buf);
    };
    await round();
    await round();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 15; i++) await round();
    const growth = (process.memoryUsage().rss - before) / 1024 / 1024;
    expect(growth).toBeLessThan(64);
  });
});
