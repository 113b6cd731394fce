/**
 * Model inputs given as tensors (the FP32 inputs of the inference protocols): checked against the model's input
 * shape and turned into the prepared input of a job, the tensor itself as the model input (no preprocessing, so
 * the answer is the model's on exactly these numbers) with the facts the uncertainty engine reads computed by the
 * preprocessing of the same pixels.
 */
import { AppError } from '@mserve/common';
import { preprocessPixels } from '@mserve/preprocess';
import type { Preprocessed } from '../pipeline/submit';

/** Values per item of a shape whose first dimension is the batch. */
const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * Splits a batch tensor of `shape` `[N, ...item]` into N model inputs of `modelShape`. An item of the model's
 * shape is taken as is; a grey item (`[28,28]` or `[28,28,1]`) for a model of 3 channels is replicated into them
 * (as `pnpm model:check` feeds grey digits to the RGB model). Values must be finite, in [0, 1].
 */
export function splitTensor(data: ArrayLike<number>, shape: number[], modelShape: number[]): Float32Array[] {
  const [n, ...item] = shape;
  if (n === undefined || !Number.isInteger(n) || n < 1 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new AppError('VALIDATION_FAILED', `shape [${shape.join(',')}] must be [N, ...] of positive integers`);
  }
  if (data.length !== size(shape)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `data holds ${data.length} values; shape [${shape.join(',')}] needs ${size(shape)}`,
    );
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new AppError('VALIDATION_FAILED', `data[${i}] is not a number in [0, 1] (pixel/255)`);
    }
  }
  const itemSize = size(item);
  const modelSize = size(modelShape);
  const [h, w, c = 1] = modelShape;
  const sameItem = item.length > 0 && itemSize === modelSize && item.join() === modelShape.join();
  const greyForRgb =
    c === 3 && itemSize === (h ?? 0) * (w ?? 0) && item[0] === h && item[1] === w && (item[2] ?? 1) === 1;
  const greyForGrey = c === 1 && itemSize === modelSize && item[0] === h && item[1] === w && (item[2] ?? 1) === 1;
  if (!sameItem && !greyForRgb && !greyForGrey) {
    throw new AppError(
      'VALIDATION_FAILED',
      `item shape [${item.join(',')}] does not fit the model input [${modelShape.join(',')}]`,
    );
  }
  return Array.from({ length: n }, (_, k) => {
    const src = Float32Array.from({ length: itemSize }, (_, i) => data[k * itemSize + i] as number);
    if (!greyForRgb) return src;
    const out = new Float32Array(modelSize);
    for (let i = 0; i < itemSize; i++) out.set([src[i] as number, src[i] as number, src[i] as number], i * 3);
    return out;
  });
}

/** One model input as a job's prepared input: the tensor, and the facts of its pixels (grey: the first channel). */
export async function prepareTensor(input: Float32Array, modelShape: number[]): Promise<Preprocessed> {
  const started = performance.now();
  const [h = 28, w = 28, c = 1] = modelShape;
  const grey = new Uint8Array(h * w);
  for (let i = 0; i < h * w; i++) grey[i] = Math.round((input[i * c] as number) * 255);
  const seen = await preprocessPixels({ width: w, height: h, channels: 1, data: grey }, { inputShape: modelShape });
  return {
    tensor: input,
    shape: [...modelShape],
    facts: { ...seen.facts, format: 'raw', bytes: 0 },
    ms: performance.now() - started,
  };
}
