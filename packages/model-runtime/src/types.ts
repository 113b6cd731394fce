import type { Logger } from '@mserve/common';

/** A Dropout layer of the model. */
export interface DropoutInfo {
  layer: string;
  rate: number;
  /** The layer is called with `training=True` in the Keras graph (Monte-Carlo dropout at inference). */
  training: boolean;
  /** The dropout output reaches the last Dense layer without passing another layer with weights. */
  beforeLastDense: boolean;
}

/** Everything known about a loaded model. */
export interface ModelMetadata {
  name: string;
  dir: string;
  /** `sha256:<hex>` over all model files in sorted path order; the model version. */
  digest: string;
  /** Per-example input shape, e.g. [28,28] or [28,28,3]. */
  inputShape: number[];
  classes: number;
  /** Width of the last Dense layer's input (the penultimate features). */
  featureDim: number;
  dropout: DropoutInfo[];
  layers: { name: string; className: string }[];
  backend: string;
  loadMs: number;
}

/** Result of a batch prediction; all arrays are row-major with `n` rows. */
export interface PredictOutput {
  n: number;
  classes: number;
  featureDim: number;
  /** n*classes */
  probabilities: Float32Array;
  /** Pre-activation output of the last Dense layer, n*classes. */
  logits: Float32Array;
  /** Input of the last Dense layer computed with dropout off, n*featureDim. */
  features: Float32Array;
}

/** Weights of the last Dense layer (the uncertainty engine works on them directly). */
export interface LastDense {
  /** inDim x outDim, row-major. */
  kernel: Float32Array;
  bias: Float32Array;
  inDim: number;
  outDim: number;
  /** Keras activation name, e.g. `softmax`. */
  activation: string;
}

/** Options of {@link LoadedModel.predict}. */
export interface PredictOptions {
  /** true: sample the model's Dropout layers like Keras `training=True`; default false. */
  dropout?: boolean;
}

/** A model ready to serve. */
export interface LoadedModel {
  metadata: ModelMetadata;
  lastDense: LastDense;
  /** `inputs`: n * prod(inputShape) values in [0,1]. */
  predict(inputs: Float32Array, n: number, opts?: PredictOptions): Promise<PredictOutput>;
  dispose(): void;
}

/** Options of `loadSavedModel`. */
export interface LoadOptions {
  backend?: 'tfjs-node' | 'wasm' | 'cpu';
  logger?: Logger;
}
