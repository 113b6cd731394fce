import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveAssetsDir } from '@mserve/common';
import { loadMnistTest } from '@mserve/datasets';
import {
  ALL_STEPS,
  preprocess,
  preprocessPixels,
  syntheticUpload,
  type NormaliseSteps,
  type PreprocessOptions,
  type PreprocessResult,
} from '@mserve/preprocess';
import { generateBenchmark, LOOKS } from '@mserve/shifted-digits';
import sharp from 'sharp';
import { UPLOAD_SEED } from './preprocess-uploads';

/**
 * A large deterministic corpus of what the gateway preprocesses, for checking that a faster preprocessing makes
 * bit for bit the same model inputs and facts as the one the calibration was fitted with (`pnpm preprocess:speed`
 * and apps/eval/test/preprocess-equivalence.test.ts). JPEG inputs (half the seeded uploads, most shifted items)
 * are included: libjpeg-turbo's default integer IDCT is bit-exact across its SIMD and C paths.
 */

/** One preprocessing call of the corpus: its input and options. */
export interface CorpusCase {
  section: string;
  name: string;
  /** An upload (through `preprocess`) or decoded pixels (through `preprocessPixels`). */
  input: { upload: Buffer } | { pixels: { data: Uint8Array; width: number; height: number; channels: 1 | 3 | 4 } };
  opts: PreprocessOptions;
}

/** Sizes of the corpus sections. */
export interface CorpusSizes {
  /** First MNIST test digits, each a 28x28 grey PNG (what the bench and a typical client send). */
  mnistPng: number;
  /** First MNIST test digits as seeded realistic uploads (PNG only: larger sheets, noise, lighting). */
  uploads: number;
  /** Shifted-digits fit-split items per look and kind (digit, near-OOD, far-OOD). */
  shiftedPerLook: number;
  /** Every step on, every step off, naive mode and a 3-channel input on this many of the cases above. */
  variants: number;
}

/** The sizes the committed digests (apps/eval/test/preprocess-equivalence.test.ts) were taken at. */
export const CORPUS_SIZES: CorpusSizes = Object.freeze({
  mnistPng: 2000,
  uploads: 60,
  shiftedPerLook: 2,
  variants: 60,
});

const NO_STEPS: NormaliseSteps = {
  localPaper: false,
  isolate: false,
  tiltedRulings: false,
  deskew: false,
  stroke: false,
  antialias: false,
  oneFlag: false,
};

const SHAPE = [28, 28];

/** The shared sample images (`<assets>/data/images`), sorted by name, lossless ones only unless `lossy`. */
function sampleImages(lossy: boolean): { name: string; buf: Buffer }[] {
  const dir = path.join(resolveAssetsDir(), 'data', 'images');
  return readdirSync(dir)
    .filter((f) => lossy || f.endsWith('.png'))
    .sort()
    .map((f) => ({ name: f, buf: readFileSync(path.join(dir, f)) }));
}

/**
 * Builds the corpus: MNIST digits as 28x28 PNGs, seeded realistic uploads, a slice of the shifted benchmark's fit
 * split (every look, digits and OOD items), the shared sample images, and variants of a subset under every step
 * on, every step off, naive mode and a [28,28,3] input. `lossy` false keeps PNG inputs only.
 */
export async function buildCorpus(sizes: CorpusSizes = CORPUS_SIZES, lossy = true): Promise<CorpusCase[]> {
  const cases: CorpusCase[] = [];
  const test = await loadMnistTest();
  const digit = (i: number): Uint8Array => test.images.subarray(i * 784, (i + 1) * 784);
  for (let i = 0; i < sizes.mnistPng; i++) {
    const png = await sharp(Buffer.from(digit(i)), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toBuffer();
    cases.push({ section: 'mnist-png', name: `mnist ${i}`, input: { upload: png }, opts: { inputShape: SHAPE } });
  }
  for (let i = 0; i < sizes.uploads; i++) {
    const up = await syntheticUpload(digit(i), UPLOAD_SEED + i, lossy ? undefined : 'png');
    cases.push({ section: 'uploads', name: `upload ${i}`, input: { upload: up.image }, opts: { inputShape: SHAPE } });
  }
  for (let i = 0; i < Math.ceil(sizes.uploads / 3); i++) {
    const up = await syntheticUpload(digit(i), UPLOAD_SEED + i, 'png', { thinStrokes: true });
    cases.push({ section: 'uploads', name: `thin ${i}`, input: { upload: up.image }, opts: { inputShape: SHAPE } });
  }
  const n = sizes.shiftedPerLook;
  const items = await generateBenchmark({
    split: 'fit',
    seed: 1,
    digitsPerLook: n,
    nearOodPerLook: n,
    farOodPerLook: n,
    looks: LOOKS,
  });
  items.forEach((it, k) => {
    if (!lossy && !isPng(it.image)) return;
    cases.push({
      section: 'shifted',
      name: `shifted ${k} ${it.look} ${it.kind}`,
      input: { upload: it.image },
      opts: { inputShape: SHAPE },
    });
  });
  for (const { name, buf } of sampleImages(lossy)) {
    cases.push({ section: 'samples', name, input: { upload: buf }, opts: { inputShape: SHAPE } });
  }
  for (let i = 0; i < 50; i++) {
    cases.push({
      section: 'pixels',
      name: `mnist pixels ${i}`,
      input: { pixels: { data: digit(i), width: 28, height: 28, channels: 1 } },
      opts: { inputShape: SHAPE },
    });
  }
  // Variants over an even spread of the cases above (MNIST PNGs, uploads, shifted items, samples alike).
  const base = cases.slice();
  const every = Math.max(1, Math.floor(base.length / sizes.variants));
  for (let k = 0; sizes.variants > 0 && k < base.length; k += every) {
    const c = base[k]!;
    const variants: [string, PreprocessOptions][] = [
      ['all steps', { inputShape: SHAPE, steps: ALL_STEPS }],
      ['no steps', { inputShape: SHAPE, steps: NO_STEPS }],
      ['naive', { inputShape: SHAPE, mode: 'naive' }],
      ['rgb', { inputShape: [28, 28, 3] }],
    ];
    for (const [what, opts] of variants) cases.push({ ...c, section: `variant ${what}`, opts });
  }
  return cases;
}

function isPng(buf: Buffer): boolean {
  return buf.length > 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47;
}

/** Runs one case through a preprocessing implementation (today's, or a frozen reference with the same API). */
export interface PreprocessApi {
  preprocess: typeof preprocess;
  preprocessPixels: typeof preprocessPixels;
}

export async function runCase(api: PreprocessApi, c: CorpusCase): Promise<PreprocessResult | { error: string }> {
  try {
    return 'upload' in c.input
      ? await api.preprocess(c.input.upload, c.opts)
      : await api.preprocessPixels(c.input.pixels, c.opts);
  } catch (err) {
    return { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

/** The bytes that must not change: the tensor bit for bit, the shape and the facts (or the error). */
export function outputBytes(r: PreprocessResult | { error: string }): Buffer {
  if ('error' in r) return Buffer.from(`error ${r.error}\n`);
  const t = r.tensor;
  return Buffer.concat([
    Buffer.from(t.buffer, t.byteOffset, t.byteLength),
    Buffer.from(`${JSON.stringify(r.shape)}${JSON.stringify(r.facts)}\n`),
  ]);
}

/** sha256 of the concatenated {@link outputBytes} of each section's cases, in corpus order. */
export async function sectionDigests(api: PreprocessApi, cases: CorpusCase[]): Promise<Record<string, string>> {
  const hashes = new Map<string, ReturnType<typeof createHash>>();
  for (const c of cases) {
    const h = hashes.get(c.section) ?? createHash('sha256');
    h.update(outputBytes(await runCase(api, c)));
    hashes.set(c.section, h);
  }
  return Object.fromEntries([...hashes].map(([section, h]) => [section, h.digest('hex')]));
}
