import { createHash } from 'node:crypto';
import { preprocess, preprocessPixels } from './preprocess';
import { ensureSharpConfigured } from './sharp-setup';
import { seededRandom } from './synthetic';
import { DEFAULT_STEPS, type NormaliseSteps } from './types';

/** Probe images; each is drawn from its seed, so the set is the same on every machine. */
const PROBES = 24;

/** A stroke-like scribble on a plain sheet: light-on-dark or dark-on-light, grey or tinted, some with alpha. */
function probe(seed: number): { rgba: Uint8Array; width: number; height: number } {
  const rand = seededRandom(0x5eed + seed);
  const width = 28 + Math.floor(rand() * 140);
  const height = 28 + Math.floor(rand() * 140);
  const dark = rand() < 0.5;
  const tint = rand() < 0.3 ? [rand() * 60, rand() * 60, rand() * 60] : [0, 0, 0];
  const paper = dark ? 240 : 10;
  const ink = dark ? 30 : 250;
  const alpha = rand() < 0.2;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[i * 4] = paper - (dark ? tint[0]! : -tint[0]! / 4);
    rgba[i * 4 + 1] = paper - (dark ? tint[1]! : -tint[1]! / 4);
    rgba[i * 4 + 2] = paper - (dark ? tint[2]! : -tint[2]! / 4);
    rgba[i * 4 + 3] = alpha ? 0 : 255;
  }
  // A few thick segments between random points in the middle of the sheet.
  const r = Math.max(1, Math.round(Math.min(width, height) / 14));
  let x = width * (0.3 + 0.4 * rand());
  let y = height * (0.3 + 0.4 * rand());
  for (let s = 0; s < 4; s++) {
    const nx = width * (0.2 + 0.6 * rand());
    const ny = height * (0.2 + 0.6 * rand());
    segment(rgba, width, height, { x, y }, { x: nx, y: ny }, r, ink);
    x = nx;
    y = ny;
  }
  return { rgba, width, height };
}

/** Paints a thick segment from `a` to `b` (disc of radius `r` along it) in grey `ink`, opaque. */
function segment(
  rgba: Uint8Array,
  width: number,
  height: number,
  a: { x: number; y: number },
  b: { x: number; y: number },
  r: number,
  ink: number,
): void {
  for (let t = 0; t <= 1; t += 0.02) {
    const cx = Math.round(a.x + (b.x - a.x) * t);
    const cy = Math.round(a.y + (b.y - a.y) * t);
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) {
        const px = cx + dx;
        const py = cy + dy;
        if (px < 0 || py < 0 || px >= width || py >= height || dx * dx + dy * dy > r * r) continue;
        const o = (py * width + px) * 4;
        rgba[o] = rgba[o + 1] = rgba[o + 2] = ink;
        rgba[o + 3] = 255;
      }
    }
  }
}

/**
 * A printed "1" with a flag, dark on white: the scribble probes never look like one, so without it the digest would
 * not see the `oneFlag` step at all.
 */
export function flaggedOne(): { rgba: Uint8Array; width: number; height: number } {
  const width = 60;
  const height = 90;
  const rgba = new Uint8Array(width * height * 4).fill(245);
  segment(rgba, width, height, { x: 32, y: 15 }, { x: 30, y: 75 }, 3, 20);
  segment(rgba, width, height, { x: 32, y: 15 }, { x: 20, y: 30 }, 3, 20);
  return { rgba, width, height };
}

/** A 9 whose loop is so small that only the loop guard keeps `oneFlag` from reading it as a flagged 1. */
export function smallLoopNine(): Uint8Array {
  const nine = new Uint8Array(60 * 90 * 4).fill(245);
  const path = [
    { x: 34, y: 12 },
    { x: 24, y: 17 },
    { x: 25, y: 26 },
    { x: 32, y: 24 },
  ];
  segment(nine, 60, 90, { x: 34, y: 12 }, { x: 28, y: 75 }, 2, 20);
  for (let i = 1; i < path.length; i++) segment(nine, 60, 90, path[i - 1]!, path[i]!, 2, 20);
  return nine;
}

/**
 * Glyphs the `oneFlag` guards must tell from a flagged 1 (a 7 whose bar slopes down to the left, a 9 with a small
 * loop, a 1 with a long flag), so that a change to a guard changes the digest and with it the calibration caches.
 */
function nearMisses(): { rgba: Uint8Array; width: number; height: number }[] {
  const sheet = (): Uint8Array => new Uint8Array(60 * 90 * 4).fill(245);
  const seven = sheet();
  segment(seven, 60, 90, { x: 40, y: 15 }, { x: 30, y: 75 }, 3, 20);
  segment(seven, 60, 90, { x: 40, y: 15 }, { x: 12, y: 25 }, 3, 20);
  const nine = smallLoopNine();
  const longFlag = sheet();
  segment(longFlag, 60, 90, { x: 36, y: 15 }, { x: 33, y: 75 }, 3, 20);
  segment(longFlag, 60, 90, { x: 36, y: 15 }, { x: 14, y: 34 }, 3, 20);
  return [seven, nine, longFlag].map((rgba) => ({ rgba, width: 60, height: 90 }));
}

/**
 * A digest of what preprocessing makes of a fixed set of probe images (drawn from seeds, at most 167 px a side,
 * given both as lossless PNG uploads and as raw pixels): the input tensors and facts, bit for bit. The calibration
 * artifact records it, because the uncertainty statistics were fitted on preprocessed inputs: a different digest
 * means preprocessing changed since, and the calibration no longer describes what the model is fed. Lossless and
 * small on purpose, so that no codec or resampler whose output may vary by CPU is involved. `steps` switches
 * normalisation steps off (the digest of the preprocessing without them). With `oneFlag` on, a flagged "1" joins
 * the probes.
 */
export async function preprocessingFingerprint(
  inputShape: number[] = [28, 28],
  steps?: Partial<NormaliseSteps>,
): Promise<string> {
  const sharp = ensureSharpConfigured();
  const hash = createHash('sha256');
  const add = (r: { tensor: Float32Array; facts: object }): void => {
    hash.update(Buffer.from(r.tensor.buffer, r.tensor.byteOffset, r.tensor.byteLength));
    hash.update(JSON.stringify(r.facts));
  };
  for (let seed = 1; seed <= PROBES; seed++) {
    const { rgba, width, height } = probe(seed);
    add(await preprocessPixels({ data: rgba, width, height, channels: 4 }, { inputShape, steps }));
    const png = await sharp(Buffer.from(rgba), { raw: { width, height, channels: 4 } })
      .png()
      .toBuffer();
    add(await preprocess(png, { inputShape, steps }));
  }
  // Only with the step on, so that the digests of the preprocessing before it (every step off) stay what they were.
  if ({ ...DEFAULT_STEPS, ...steps }.oneFlag) {
    for (const { rgba, width, height } of [flaggedOne(), ...nearMisses()]) {
      add(await preprocessPixels({ data: rgba, width, height, channels: 4 }, { inputShape, steps }));
    }
  }
  return `sha256:${hash.digest('hex')}`;
}
