/** The serving-time uncertainty engine: one batched model pass in, one {@link Assessment} per input out. */
import { AppError } from '@mserve/common';
import { SAMPLES_MAX, SAMPLES_MIN } from '@mserve/contracts';
import { artifactMismatch, type CalibrationArtifact } from './artifact';
import { apsSet, conformalThreshold, conformalUniform } from './conformal';
import { factsRoute } from './facts-model';
import { GaussianScorer } from './gaussian';
import { DropoutCovariance, fastMcDropout, fastMcScratch } from './mc-dropout';
import { hashFloat32, Rng } from './prng';
import {
  deriveSignals,
  isOutOfDistribution,
  measureBatch,
  shapeLogitOf,
  type MeasureContext,
  type Signals,
} from './signals';
import { isotonicAt, logisticLogit, sigmoid } from './stats';
import type { Assessment, InputFactsLike, LastDenseLike, ModelMetadataLike, PredictOutputLike } from './types';

/** Options of {@link UncertaintyEngine.assess}. */
export interface AssessOptions {
  /** MC-dropout samples, SAMPLES_MIN..SAMPLES_MAX of the contracts (1 = deterministic). */
  samples: number;
  /** Conformal miscoverage, in (0, 1). */
  alpha: number;
}

/** Turns one model pass into calibrated uncertainty, using a {@link CalibrationArtifact} of the same model. */
export class UncertaintyEngine {
  private readonly measure: MeasureContext;
  private readonly cov: DropoutCovariance;
  private readonly inputSize: number;
  private readonly thresholds = new Map<number, number>();

  private constructor(
    readonly artifact: CalibrationArtifact,
    metadata: ModelMetadataLike,
    dense: LastDenseLike,
  ) {
    this.measure = {
      inputShape: metadata.inputShape,
      dense,
      scorer: new GaussianScorer(artifact.density),
      factsModel: artifact.facts,
    };
    this.cov = new DropoutCovariance(dense);
    this.inputSize = metadata.inputShape.reduce((a, b) => a * b, 1);
  }

  /** Binds an artifact to a loaded model; refuses (`CALIBRATION_MISMATCH`) one {@link artifactMismatch} rejects. */
  static create(
    artifact: CalibrationArtifact,
    model: { metadata: ModelMetadataLike; lastDense: LastDenseLike },
  ): UncertaintyEngine {
    const { metadata, lastDense } = model;
    const mismatch = artifactMismatch(artifact, metadata);
    if (mismatch) {
      throw new AppError('CALIBRATION_MISMATCH', `${mismatch}; run \`pnpm calibrate -- --model ${metadata.name}\``);
    }
    if (lastDense.outDim !== metadata.classes || lastDense.inDim !== metadata.featureDim) {
      throw new AppError(
        'MODEL_LOAD_FAILED',
        `last Dense ${lastDense.inDim}x${lastDense.outDim} does not match metadata`,
      );
    }
    return new UncertaintyEngine(artifact, metadata, lastDense);
  }

  /** Human-readable description of the pipeline, returned with every assessment. */
  method(samples: number): string {
    const d = this.artifact.dropout;
    const mc = samples > 1 ? `mc-dropout(${d.mode} p=${d.rate}, fast gaussian, T=${samples})` : 'deterministic';
    return `${mc}+class-gaussian-ood+logistic-isotonic-reliability+aps-conformal`;
  }

  private threshold(alpha: number): number {
    let q = this.thresholds.get(alpha);
    if (q === undefined) {
      q = conformalThreshold(this.artifact.conformal, alpha);
      if (this.thresholds.size > 256) this.thresholds.clear();
      this.thresholds.set(alpha, q);
    }
    return q;
  }

  /** Deterministic signals of every input of a batch (for calibration and evaluation). */
  signals(out: PredictOutputLike, inputs: Float32Array, facts: (InputFactsLike | undefined)[] = []): Signals[] {
    const { pooling, ood, reliability } = this.artifact;
    return measureBatch(this.measure, out, inputs, facts).map((m, i) =>
      deriveSignals(m, out.logits, i, out.classes, pooling, ood, shapeLogitOf(reliability.shape, m)),
    );
  }

  /** P(answer right | digit): answer model, then its isotonic calibration on digits. */
  answerProbability(s: Signals): number {
    const r = this.artifact.reliability;
    return Math.min(1, Math.max(0, isotonicAt(r.isotonic, sigmoid(logisticLogit(r.answer, s.answerFeatures)))));
  }

  /** P(input is a digit) from the digit gate (which also sees the OOD flag). */
  digitProbability(s: Signals, facts: InputFactsLike | undefined): number {
    const flag = this.oodFlag(s, facts) ? 1 : 0;
    return sigmoid(logisticLogit(this.artifact.reliability.digit, [...s.digitFeatures, flag]));
  }

  /** Calibrated reliability: P(answer right | digit) * P(digit). */
  reliabilityOf(s: Signals, facts: InputFactsLike | undefined): number {
    const raw = this.answerProbability(s) * this.digitProbability(s, facts);
    const final = this.artifact.reliability.final;
    if (!final) return raw;
    return Math.min(1, Math.max(0, isotonicAt(final[factsRoute(this.artifact.facts, facts)], raw)));
  }

  /** OOD flag from the density score and the upload's facts. */
  oodFlag(s: Signals, facts: InputFactsLike | undefined): boolean {
    return isOutOfDistribution(this.artifact.ood, s, facts);
  }

  private validate(out: PredictOutputLike, inputs: Float32Array, opts: AssessOptions): void {
    const T = Math.round(opts.samples);
    if (!(T >= SAMPLES_MIN && T <= SAMPLES_MAX))
      throw new AppError('VALIDATION_FAILED', `samples must be ${SAMPLES_MIN}..${SAMPLES_MAX}, got ${opts.samples}`);
    if (!(opts.alpha > 0 && opts.alpha < 1))
      throw new AppError('VALIDATION_FAILED', `alpha must be in (0,1), got ${opts.alpha}`);
    if (inputs.length !== out.n * this.inputSize) {
      throw new AppError(
        'INFERENCE_FAILED',
        `inputs hold ${inputs.length} values, expected ${out.n} x ${this.inputSize}`,
      );
    }
  }

  /**
   * Assesses every input of one batched pass. `inputs` are the model inputs of the pass (n * prod(inputShape)),
   * `facts` the preprocessing facts per input (undefined when the caller sent a raw tensor).
   */
  assess(
    out: PredictOutputLike,
    inputs: Float32Array,
    facts: (InputFactsLike | undefined)[],
    opts: AssessOptions,
  ): Assessment[] {
    this.validate(out, inputs, opts);
    return this.assessSignals(out, inputs, facts, this.signals(out, inputs, facts), opts);
  }

  /**
   * {@link assess} with the deterministic signals computed beforehand (they do not depend on `opts`), so one
   * batch can be assessed at several alphas or sample counts for the price of one density pass.
   */
  assessSignals(
    out: PredictOutputLike,
    inputs: Float32Array,
    facts: (InputFactsLike | undefined)[],
    signals: Signals[],
    opts: AssessOptions,
  ): Assessment[] {
    this.validate(out, inputs, opts);
    if (signals.length !== out.n)
      throw new AppError('INFERENCE_FAILED', `${signals.length} signals for ${out.n} inputs`);
    const T = Math.round(opts.samples);
    const k = out.classes;
    const q = this.threshold(opts.alpha);
    const rate = this.artifact.dropout.rate;
    const scratch = fastMcScratch(k);
    const method = this.method(T);
    return signals.map((s, i) => {
      const seed = hashFloat32(inputs, i * this.inputSize, this.inputSize);
      const mc = fastMcDropout(
        this.cov,
        out.features,
        i * out.featureDim,
        out.logits,
        i * k,
        rate,
        T,
        new Rng(seed),
        scratch,
      );
      const flag = this.oodFlag(s, facts[i]);
      const reliability = this.reliabilityOf(s, facts[i]);
      const u = conformalUniform(inputs, i * this.inputSize, this.inputSize);
      return {
        prediction: s.prediction,
        probabilities: Array.from(mc.mean),
        rawProbabilities: Array.from(out.probabilities.subarray(i * k, i * k + k)),
        uncertainty: {
          reliability,
          reliable: !flag && reliability >= this.artifact.reliability.threshold,
          outOfDistribution: { score: s.oodScore, flag },
          predictionSet: flag ? [] : apsSet(s.pooled, q, u),
          abstained: flag,
          alpha: opts.alpha,
          entropy: mc.entropy,
          expectedEntropy: mc.expectedEntropy,
          mutualInformation: mc.mutualInformation,
          perClassVariance: Array.from(mc.perClassVariance),
          samples: T,
          method,
        },
      };
    });
  }
}
