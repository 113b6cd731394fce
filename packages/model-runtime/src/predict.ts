import * as tf from '@tensorflow/tfjs-core';
import { AppError } from '@mserve/common';
import type { Network } from './network';
import type { ModelMetadata, PredictOptions, PredictOutput } from './types';

/**
 * Batched prediction over a {@link Network}. All intermediate tensors live inside `tf.tidy`, and the three
 * returned tensors are disposed after their values are copied out, so memory stays flat across calls.
 */
export function makePredict(
  network: Network,
  meta: ModelMetadata,
): (inputs: Float32Array, n: number, opts?: PredictOptions) => Promise<PredictOutput> {
  const perExample = meta.inputShape.reduce((a, b) => a * b, 1);
  const sampleDropout = meta.dropout.length > 0;
  return async (inputs, n, opts = {}) => {
    if (!Number.isInteger(n) || n < 1 || inputs.length !== n * perExample) {
      throw new AppError(
        'INFERENCE_FAILED',
        `predict: expected ${n} x ${perExample} input values for shape [${meta.inputShape}], got ${inputs.length}`,
      );
    }
    const stochastic = opts.dropout === true && sampleDropout;
    const [probs, logits, features] = tf.tidy(() => {
      const x = tf.tensor(inputs, [n, ...meta.inputShape], 'float32');
      const r = network.forward(x, stochastic);
      // Features are defined with dropout off, so a sampled pass needs a deterministic one beside it.
      const f = stochastic ? network.forward(x, false).features : r.features;
      return [r.output, r.logits, f];
    });
    try {
      const [p, l, f] = await Promise.all([probs.data(), logits.data(), features.data()]);
      return {
        n,
        classes: meta.classes,
        featureDim: meta.featureDim,
        probabilities: p as Float32Array,
        logits: l as Float32Array,
        features: f as Float32Array,
      };
    } finally {
      tf.dispose([probs, logits, features]);
    }
  };
}
