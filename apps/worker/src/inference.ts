import type { InferenceParams, InferenceResult, InputFacts, JobPriority, ModelCard } from '@mserve/contracts';
import type { ItemOutcome } from './batcher';

/** One job's input as the engine sees it. */
export interface InferenceItem {
  jobId: string;
  input: Float32Array;
  shape: number[];
  facts: InputFacts;
  params: InferenceParams;
  /** The job's class; absent for normal jobs and grouped synchronous predictions. */
  priority?: JobPriority;
}

/** Batching order of a job's class: high before normal before low (see `MicroBatcher`'s `rank`). */
export function priorityRank(item: Pick<InferenceItem, 'priority'>): number {
  return item.priority === 'high' ? 0 : item.priority === 'low' ? 2 : 1;
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
