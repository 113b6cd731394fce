import { AppError } from '@mserve/common';
import { decodeUpload, rawToWorking, type Decoded } from './decode';
import { edgeDensity, lumaEntropy, shareAbove } from './facts';
import { flatten, separateInk } from './ink';
import { mnistPlane, naivePlane, SIDE } from './mnist';
import {
  DEFAULT_STEPS,
  DEFAULT_LIMITS,
  type InputFacts,
  type PreprocessLimits,
  type PreprocessOptions,
  type PreprocessResult,
  type RawPixels,
} from './types';

/** Validates the model input shape: 28x28 grey (rank 2 or 3 with one channel) or 28x28x3. */
function outputChannels(shape: number[]): 1 | 3 {
  const ok =
    shape[0] === SIDE &&
    shape[1] === SIDE &&
    (shape.length === 2 || (shape.length === 3 && (shape[2] === 1 || shape[2] === 3)));
  if (!ok) {
    throw new AppError(
      'VALIDATION_FAILED',
      `unsupported model input shape [${shape.join(',')}]: expected [28,28], [28,28,1] or [28,28,3]`,
    );
  }
  return shape.length === 3 && shape[2] === 3 ? 3 : 1;
}

/** Limits of a call; an absent, non-finite or non-positive value keeps the default rather than lifting the limit. */
function resolveLimits(partial: Partial<PreprocessLimits> | undefined): PreprocessLimits {
  const pick = (v: number | undefined, fallback: number): number =>
    v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
  return {
    maxBytes: pick(partial?.maxBytes, DEFAULT_LIMITS.maxBytes),
    maxPixels: pick(partial?.maxPixels, DEFAULT_LIMITS.maxPixels),
  };
}

function toTensor(plane: Float32Array, channels: 1 | 3): Float32Array {
  if (channels === 1) return plane;
  const out = new Float32Array(plane.length * 3);
  for (let i = 0; i < plane.length; i++) {
    const v = plane[i]!;
    out[i * 3] = v;
    out[i * 3 + 1] = v;
    out[i * 3 + 2] = v;
  }
  return out;
}

/** The shared normalisation of a decoded image: ink separation, MNIST geometry (or naive resize), facts. */
function normalise(decoded: Decoded, bytes: number, opts: PreprocessOptions, started: number): PreprocessResult {
  const channels = outputChannels(opts.inputShape);
  const flat = flatten(decoded.rgba);
  const steps = { ...DEFAULT_STEPS, ...opts.steps };
  const ink = separateInk(flat.luma, steps);
  let plane: Float32Array;
  if ((opts.mode ?? 'mnist') === 'naive') plane = naivePlane(flat.luma);
  else if (!ink.box) plane = new Float32Array(SIDE * SIDE);
  else plane = mnistPlane(ink.ink, ink.box, ink.strokeWidth, steps);
  const box = ink.box;
  const { width: ww, height: wh } = decoded.rgba;
  const facts: InputFacts = {
    format: decoded.format,
    width: decoded.width,
    height: decoded.height,
    channels: decoded.channels,
    bytes,
    polarity: ink.inverted ? 'dark-on-light' : 'light-on-dark',
    inverted: ink.inverted,
    inkFraction: ink.inkFraction,
    colourfulness: flat.colourfulness,
    edgeDensity: edgeDensity(flat.luma),
    borderContrast: ink.contrast,
    paperNoise: ink.paperNoise,
    bboxAspect: box ? (box.y1 - box.y0 + 1) / (box.x1 - box.x0 + 1) : 1,
    bboxFill: box ? ((box.y1 - box.y0 + 1) * (box.x1 - box.x0 + 1)) / (ww * wh) : 0,
    inkComponents: ink.components,
    droppedInk: ink.droppedInk,
    strokeWidth: ink.strokeWidth,
    ruledLines: ink.ruled,
    lumaEntropy: lumaEntropy(flat.luma),
    outputInk: shareAbove(plane),
    transparency: flat.transparency ? 1 : 0,
    orientation: decoded.orientation,
  };
  return {
    tensor: toTensor(plane, channels),
    shape: [...opts.inputShape],
    facts,
    ms: performance.now() - started,
  };
}

/**
 * Turns an untrusted upload into the model's input the way MNIST digits were made: decoded strictly (type from
 * magic bytes, limits from the header), oriented, alpha flattened onto the paper, made light-on-dark, cropped to
 * the ink, scaled to a 20-px box and centred by mass in 28x28, values in [0,1]. A blank image yields an all-zero
 * input with `inkFraction` 0. Throws only {@link AppError} with a 4xx code for bad uploads (IMAGE_EMPTY,
 * IMAGE_TOO_LARGE, IMAGE_TOO_MANY_PIXELS, IMAGE_UNSUPPORTED_TYPE naming the type, IMAGE_UNDECODABLE), and
 * VALIDATION_FAILED (400) for an input shape it cannot produce.
 */
export async function preprocess(image: Buffer, opts: PreprocessOptions): Promise<PreprocessResult> {
  const started = performance.now();
  outputChannels(opts.inputShape);
  const decoded = await decodeUpload(image, resolveLimits(opts.limits));
  return normalise(decoded, image.length, opts, started);
}

/**
 * The same normalisation on already-decoded 8-bit pixels (MNIST digits, training data), so statistics fitted on
 * them describe inputs processed exactly as uploads are. Only the pixel limit applies.
 */
export async function preprocessPixels(
  pixels: RawPixels,
  opts: PreprocessOptions & { format?: string },
): Promise<PreprocessResult> {
  const started = performance.now();
  outputChannels(opts.inputShape);
  const { width, height, channels, data } = pixels;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new AppError('IMAGE_EMPTY', `pixels have an empty or invalid size ${width}x${height}`);
  }
  if (data.length !== width * height * channels) {
    throw new AppError(
      'VALIDATION_FAILED',
      `pixel buffer holds ${data.length} values, expected ${width}x${height}x${channels}`,
    );
  }
  const limits = resolveLimits(opts.limits);
  if (width * height > limits.maxPixels) {
    throw new AppError('IMAGE_TOO_MANY_PIXELS', `${width}x${height} pixels is above the limit of ${limits.maxPixels}`);
  }
  const rgba = await rawToWorking(pixels);
  const decoded: Decoded = { rgba, format: opts.format ?? 'raw', width, height, channels, orientation: 1 };
  return normalise(decoded, 0, opts, started);
}
