import { AppError } from '@mserve/common';
import fc from 'fast-check';
import { preprocess, preprocessPixels } from './preprocess';
import { encode } from './test-images';
import type { PreprocessResult } from './types';

const MAGIC: Record<string, number[]> = {
  png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  jpeg: [0xff, 0xd8, 0xff],
  gif: [0x47, 0x49, 0x46, 0x38, 0x39, 0x61],
  webp: [0x52, 0x49, 0x46, 0x46, 0x10, 0, 0, 0, 0x57, 0x45, 0x42, 0x50],
  tiff: [0x49, 0x49, 0x2a, 0x00],
  bmp: [0x42, 0x4d, 0, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0, 0, 0],
  avif: [0, 0, 0, 0x1c, 0x66, 0x74, 0x79, 0x70, 0x61, 0x76, 0x69, 0x66],
};

function isValid(r: PreprocessResult, length: number): boolean {
  return r.tensor.length === length && r.tensor.every((v) => Number.isFinite(v) && v >= 0 && v <= 1);
}

/** True when the promise yields a valid input or an AppError with a 4xx status; anything else fails. */
async function validOr4xx(p: Promise<PreprocessResult>, length = 784): Promise<boolean> {
  try {
    return isValid(await p, length);
  } catch (err) {
    return err instanceof AppError && err.status >= 400 && err.status < 500;
  }
}

describe('preprocess properties', () => {
  it('answers random bytes with a valid input or a 4xx AppError, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) =>
        validOr4xx(preprocess(Buffer.from(bytes), { inputShape: [28, 28] })),
      ),
      { numRuns: 150, seed: 42 },
    );
  });

  it('answers random bytes behind a real magic number the same way (reaching the decoders)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(MAGIC)),
        fc.uint8Array({ minLength: 1, maxLength: 2048 }),
        async (format, tail) => {
          const buf = Buffer.concat([Buffer.from(MAGIC[format]!), Buffer.from(tail)]);
          return validOr4xx(preprocess(buf, { inputShape: [28, 28] }));
        },
      ),
      { numRuns: 150, seed: 43 },
    );
  });

  it('answers valid images with bytes flipped or cut with a valid input or a 4xx AppError', async () => {
    const base = await encode(new Uint8Array(48 * 40 * 4).fill(200), 48, 40, 'png');
    const jpeg = await encode(new Uint8Array(48 * 40 * 4).fill(90), 48, 40, 'jpeg');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(base, jpeg),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.option(fc.nat()),
        async (img, flips, cut) => {
          const buf = Buffer.from(img);
          for (const [at, v] of flips) buf[at % buf.length] = v;
          const damaged = cut === null ? buf : buf.subarray(0, cut % buf.length);
          return validOr4xx(preprocess(damaged, { inputShape: [28, 28] }));
        },
      ),
      { numRuns: 150, seed: 44 },
    );
  });

  it('turns every random valid image into an input of the requested shape with values in [0,1]', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom('png', 'jpeg', 'webp', 'gif', 'tiff') as fc.Arbitrary<'png' | 'jpeg' | 'webp' | 'gif' | 'tiff'>,
        fc.constantFrom<number[]>([28, 28], [28, 28, 1], [28, 28, 3]),
        fc.constantFrom('mnist', 'naive') as fc.Arbitrary<'mnist' | 'naive'>,
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (w, h, format, shape, mode, seed) => {
          const px = new Uint8Array(w * h * 4);
          let s = seed;
          for (let i = 0; i < px.length; i++) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            px[i] = seed % 3 === 0 ? (s >>> 24) & 0xff : (i >> 2) % (w + 1) < w / 3 ? 20 : 230;
          }
          const r = await preprocess(await encode(px, w, h, format), { inputShape: shape, mode });
          return (
            isValid(r, shape[2] === 3 ? 784 * 3 : 784) &&
            r.facts.width === w &&
            r.facts.height === h &&
            r.facts.inkFraction >= 0 &&
            r.facts.inkFraction <= 1
          );
        },
      ),
      { numRuns: 80, seed: 45 },
    );
  });

  it('turns every random pixel array into a valid input', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom(1, 3, 4) as fc.Arbitrary<1 | 3 | 4>,
        fc.infiniteStream(fc.integer({ min: 0, max: 255 })),
        async (w, h, channels, values) => {
          const data = Uint8Array.from(values.take(w * h * channels));
          return validOr4xx(preprocessPixels({ data, width: w, height: h, channels }, { inputShape: [28, 28] }));
        },
      ),
      { numRuns: 100, seed: 46 },
    );
  });
});
