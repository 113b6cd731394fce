import type { InputFacts } from '@mserve/contracts';

// What the preprocessing learns about an upload travels in the job payload, so its shape is a wire contract.
export type { InputFacts };

/** `mnist` makes an upload look like an MNIST digit; `naive` is a plain resize, kept to measure what mnist buys. */
export type PreprocessMode = 'mnist' | 'naive';

/** Resource limits applied to every upload before (bytes, header pixels) and while (libvips) decoding it. */
export interface PreprocessLimits {
  /** Largest accepted encoded size, bytes (413 `IMAGE_TOO_LARGE` above). */
  maxBytes: number;
  /** Largest accepted width x height declared in the header, pixels (413 `IMAGE_TOO_MANY_PIXELS` above). */
  maxPixels: number;
}

/** Defaults: 10 MiB encoded, 40 megapixels declared. */
export const DEFAULT_LIMITS: PreprocessLimits = Object.freeze({ maxBytes: 10 * 1024 * 1024, maxPixels: 40e6 });

/** The model input and what was learnt about the upload while making it. */
export interface PreprocessResult {
  /** Row-major, channels last, length prod(shape), values in [0,1]. */
  tensor: Float32Array;
  shape: number[];
  facts: InputFacts;
  /** Wall time spent, ms. */
  ms: number;
}

/**
 * Steps of the `mnist` normalisation that carry real-world digits into MNIST's distribution, each switchable so
 * that what it buys can be measured (`pnpm shifted:baseline` reports the ablation). All on by default.
 */
export interface NormaliseSteps {
  /** Follow the paper level locally (a shadow across the sheet is paper, not ink), beyond the smooth border fit. */
  localPaper: boolean;
  /** Keep only the ink near the digit's main stroke; a shadow's edge touching the border does not outweigh it. */
  isolate: boolean;
  /** Remove rulings tilted by up to 8° (a photo of lined paper); off: the earlier, axis-aligned remover. */
  tiltedRulings: boolean;
  /** Shear the digit to MNIST's mean slant, measured by second moments (LeCun's deskewing, towards MNIST's mean). */
  deskew: boolean;
  /** Bring a mean stroke width (ink area / skeleton length) outside MNIST's interquartile range back into it. */
  stroke: boolean;
  /** Make the ink bilevel at 4x before area-averaging it to 20 px, as MNIST's normalisation made its grey levels. */
  antialias: boolean;
  /** Erase the flag of a printed "1" (a short stroke hanging down-left from the stem's top) on the output. */
  oneFlag: boolean;
}

/** Every step on: what the service runs. */
export const ALL_STEPS: Readonly<NormaliseSteps> = Object.freeze({
  localPaper: true,
  isolate: true,
  tiltedRulings: true,
  deskew: true,
  stroke: true,
  antialias: true,
  oneFlag: true,
});

/**
 * What the service runs: every step but `stroke`, `antialias` and `oneFlag`. The first two moved shifted-digit accuracy by a tenth
 * of a point either way (`pnpm shifted:baseline`, ablation) while the skeleton and the 4x resampling they need were
 * the largest share of the gateway's CPU per digit (`pnpm bench`, gateway profile), which bounds throughput.
 */
export const DEFAULT_STEPS: Readonly<NormaliseSteps> = Object.freeze({
  ...ALL_STEPS,
  stroke: false,
  antialias: false,
  // On by default it raised shifted-digit accuracy (fit split 84.7% -> 86.9%, evaluation split 85.4% -> 86.8%),
  // but the few non-1s it strips become clean, confidently read 1s: the refitted `reliable` bar rose above them
  // and called only 14% of right shifted digits reliable (bar 60%). Off until the reliability sees the step.
  oneFlag: false,
});

/** How to turn an upload into a model input. */
export interface PreprocessOptions {
  /** Model input shape without the batch axis: [28,28], [28,28,1] or [28,28,3]. */
  inputShape: number[];
  mode?: PreprocessMode;
  limits?: Partial<PreprocessLimits>;
  /** Switch steps of the `mnist` normalisation on or off (for measurements); absent steps as in DEFAULT_STEPS. */
  steps?: Partial<NormaliseSteps>;
}

/** Already-decoded interleaved 8-bit pixels. */
export interface RawPixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}
