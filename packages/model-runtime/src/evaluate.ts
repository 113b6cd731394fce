import type { ImageSet } from '@mserve/datasets';
import { toModelInput } from '@mserve/datasets';
import type { LoadedModel } from './types';

/** Result of {@link evaluateAccuracy}. */
export interface AccuracyResult {
  n: number;
  correct: number;
  accuracy: number;
  ms: number;
}

/** Index of the largest value of `row` (first one on ties, as numpy's argmax). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/**
 * Top-1 accuracy of `model` on the first `count` images of `set`, input pixel/255 (grey replicated for 3-channel
 * models), dropout off, in batches of `batch`.
 */
export async function evaluateAccuracy(
  model: LoadedModel,
  set: ImageSet,
  opts: { count?: number; batch?: number } = {},
): Promise<AccuracyResult> {
  const count = Math.min(opts.count ?? set.n, set.n);
  const batch = opts.batch ?? 256;
  const started = performance.now();
  let correct = 0;
  for (let s = 0; s < count; s += batch) {
    const idx = Array.from({ length: Math.min(batch, count - s) }, (_, k) => s + k);
    const out = await model.predict(toModelInput(set.images, idx, model.metadata.inputShape), idx.length);
    for (let j = 0; j < idx.length; j++) {
      if (argmax(out.probabilities.subarray(j * out.classes, (j + 1) * out.classes)) === set.labels[idx[j]!]) correct++;
    }
  }
  return { n: count, correct, accuracy: correct / count, ms: performance.now() - started };
}
