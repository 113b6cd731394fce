/**
 * Structural types of what the uncertainty engine consumes. They mirror @mserve/model-runtime and
 * @mserve/preprocess without importing them, so this package stays pure math over plain arrays.
 */

/** The parts of the runtime's model metadata the engine uses. */
export interface ModelMetadataLike {
  name: string;
  digest: string;
  inputShape: number[];
  classes: number;
  featureDim: number;
  dropout: { layer: string; rate: number; training: boolean; beforeLastDense: boolean }[];
}

/** Weights of the model's last Dense layer (kernel inDim x outDim, row-major). */
export interface LastDenseLike {
  kernel: Float32Array;
  bias: Float32Array;
  inDim: number;
  outDim: number;
  activation: string;
}

/** One batched prediction: row-major arrays with `n` rows. */
export interface PredictOutputLike {
  n: number;
  classes: number;
  featureDim: number;
  probabilities: Float32Array;
  logits: Float32Array;
  /** Input of the last Dense layer with dropout off. */
  features: Float32Array;
}

/** A model the calibration can run. */
export interface PredictorLike {
  metadata: ModelMetadataLike;
  lastDense: LastDenseLike;
  predict(inputs: Float32Array, n: number, opts?: { dropout?: boolean }): Promise<PredictOutputLike>;
}

/** What preprocessing learnt about an upload (subset used here; all optional so partial facts work). */
export interface InputFactsLike {
  inverted?: boolean;
  colourfulness?: number;
  inkFraction?: number;
  edgeDensity?: number;
  lumaEntropy?: number;
  outputInk?: number;
  borderContrast?: number;
  bboxFill?: number;
  strokeWidth?: number;
  bboxAspect?: number;
}

/** Decoded 8-bit pixels, as `preprocessPixels` takes them. */
export interface RawPixelsLike {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** `preprocessPixels` of @mserve/preprocess. */
export type PreprocessPixelsLike = (
  pixels: RawPixelsLike,
  opts: { inputShape: number[] },
) => Promise<{ tensor: Float32Array; facts: InputFactsLike }>;

/**
 * Re-encodes a 28x28 digit (bytes) as a realistic upload and preprocesses it like one, e.g.
 * `(d, seed) => syntheticUpload(d, seed).then((u) => preprocess(u.image, { inputShape: [28, 28] }))`.
 */
export type DigitUploadLike = (
  digit: Uint8Array,
  seed: number,
) => Promise<{ tensor: Float32Array; facts: InputFactsLike }>;

/** Labelled 8-bit grey images (MNIST layout). */
export interface ImageSetLike {
  n: number;
  rows: number;
  cols: number;
  images: Uint8Array;
  labels: Uint8Array;
}

/** Preprocessed inputs as 28x28 grey planes (n * 784, values in [0,1]) with their facts. */
export interface PreparedSet {
  n: number;
  planes: Float32Array;
  facts: InputFactsLike[];
  /** Digit labels, or undefined for non-digits. */
  labels?: Uint8Array;
  /** Generator name per item for synthetic non-digits. */
  kinds?: string[];
}

/**
 * Digits and non-digits as real uploads look (the shifted-digits benchmark's fitting split: rendered fonts on paper,
 * boards and screens, photographed and compressed), preprocessed like uploads.
 */
export interface ShiftedFitSets {
  digits: PreparedSet & { labels: Uint8Array };
  /** Near-OOD (letters, symbols, arrows) and far-OOD (textures, scenes, garments) items in the same looks. */
  nonDigits: PreparedSet;
}

/** The engine's verdict on one input. */
export interface Assessment {
  /** The model's answer: argmax of the deterministic probabilities. */
  prediction: number;
  /** Predictive distribution: mean of the MC-dropout samples (the raw softmax when samples = 1). */
  probabilities: number[];
  /** The model's deterministic softmax. */
  rawProbabilities: number[];
  uncertainty: {
    /** Calibrated P(prediction is right AND the input is a digit), in [0,1]. */
    reliability: number;
    /** reliability >= the artifact's threshold and not out of distribution. */
    reliable: boolean;
    outOfDistribution: { score: number; flag: boolean };
    /** Conformal set at `alpha` (APS); empty with `abstained` when out of distribution. */
    predictionSet: number[];
    abstained: boolean;
    alpha: number;
    /** Entropy of `probabilities`, nats. */
    entropy: number;
    /** Mean entropy of the samples, nats. */
    expectedEntropy: number;
    /** entropy - expectedEntropy, nats. */
    mutualInformation: number;
    perClassVariance: number[];
    samples: number;
    method: string;
  };
}
