import type { InferenceParams, InferenceResult, InputFacts, ModelCard } from '@mserve/contracts';
import type { ItemOutcome } from './batcher';

/** One job's input as the engine sees it. */
export interface InferenceItem {
  jobId: string;
  input: Float32Array;
  shape: number[];
  facts: InputFacts;
  params: InferenceParams;
}

/** The per-job part of a result that the engine computes. */
export type Prediction = InferenceResult['result'];

/**
 * The one seam between job handling and the model: batching, queueing and HTTP are tested against this interface,
 * and `model-inference.ts` implements it with the real SavedModel and uncertainty engine.
 */
export interface InferenceEngine {
  /** What this worker serves, published for the gateway's `/v1/models`. */
  readonly card: Omit<ModelCard, 'updatedAt'>;
  /** Runs one batched pass; one outcome per item, in order; an item's error fails only that item. */
  infer(items: InferenceItem[]): Promise<Array<ItemOutcome<Prediction>>>;
  dispose(): void;
}
