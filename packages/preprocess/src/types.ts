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

/**
 * What the preprocessing saw in the input, for the uncertainty engine to tell digits from photos, drawings and
 * noise. Fractions are in [0,1]; grey levels are scaled to [0,1].
 */
export interface InputFacts {
  /** Detected from magic bytes (`png`, `jpeg`, `webp`, `gif`, `tiff`, `avif`, `bmp`, or `raw` for pixels). */
  format: string;
  /** Size after EXIF orientation, pixels. */
  width: number;
  height: number;
  /** Channels as stored (1 grey, 2 grey+alpha, 3 colour, 4 colour+alpha or CMYK). */
  channels: number;
  /** Encoded size, bytes (0 for already-decoded pixels). */
  bytes: number;
  polarity: 'light-on-dark' | 'dark-on-light';
  /** True when the image was inverted to make the ink light on dark, as in MNIST. */
  inverted: boolean;
  /** Share of the (working-resolution) image covered by the ink that was kept. 0 for a blank image. */
  inkFraction: number;
  /** Hasler–Süsstrunk colourfulness M (0 for grey; ~15 slightly, ~60 highly, >100 extremely colourful). */
  colourfulness: number;
  /** Share of pixels on a 128-px thumbnail whose Sobel gradient exceeds 10% of full scale. */
  edgeDensity: number;
  /** Ink-minus-paper contrast (robust high percentile of ink strength), [0,1]. */
  borderContrast: number;
  /** Robust standard deviation of the border (paper texture, sensor noise, clutter), [0,1]. */
  paperNoise: number;
  /** Ink bounding box height / width (1 when blank). */
  bboxAspect: number;
  /** Ink bounding box area / image area (0 when blank). */
  bboxFill: number;
  /** Connected ink components kept (specks dropped). */
  inkComponents: number;
  /** Share of candidate ink mass dropped as specks or clutter. */
  droppedInk: number;
  /** Rows plus columns (working pixels) removed as rulings of lined or squared paper. */
  ruledLines: number;
  /** Estimated stroke width relative to the ink bounding box's longer side (MNIST digits: ~0.10). */
  strokeWidth: number;
  /** Shannon entropy of the 32-bin luminance histogram, bits (digits on paper: low; photos: high, max 5). */
  lumaEntropy: number;
  /** Share of the 28x28 output above 0.5 (MNIST digits: ~0.15). */
  outputInk: number;
  /** 1 when the input had an alpha channel with transparent pixels, else 0. */
  transparency: number;
  /** EXIF orientation tag that was applied (1 = none). */
  orientation: number;
}

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
}

/** Every step on: what the service runs. */
export const ALL_STEPS: Readonly<NormaliseSteps> = Object.freeze({
  localPaper: true,
  isolate: true,
  tiltedRulings: true,
  deskew: true,
  stroke: true,
  antialias: true,
});

/** How to turn an upload into a model input. */
export interface PreprocessOptions {
  /** Model input shape without the batch axis: [28,28], [28,28,1] or [28,28,3]. */
  inputShape: number[];
  mode?: PreprocessMode;
  limits?: Partial<PreprocessLimits>;
  /** Switch steps of the `mnist` normalisation off (for measurements); absent steps stay on. */
  steps?: Partial<NormaliseSteps>;
}

/** Already-decoded interleaved 8-bit pixels. */
export interface RawPixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}
