import { batchItemId, newBatchId, type InferenceJobData } from '@mserve/contracts';
import { GroupCommit } from './group-commit';
import type { Wait } from './ports';

/** Where a grouped prediction went: its own id, its batch job, and the wait for that job's end. */
export interface BatchedPrediction {
  id: string;
  batchId: string;
  index: number;
  wait: Wait;
}

/** Options of {@link PredictionBatcher}. */
export interface PredictionBatcherOptions {
  /** Most predictions in one batch job. */
  maxItems: number;
  /** Most batch jobs being enqueued at once. */
  maxInFlight: number;
  /** Registers the wait for a batch job's end (before the job exists, so no completion can be missed). */
  register: (batchId: string) => Wait;
  /** Adds the batch job; rejects when Redis refuses or is away. */
  enqueue: (batchId: string, items: InferenceJobData[]) => Promise<void>;
  /** Called with the size of every batch job enqueued, for metrics. */
  onBatch?: (size: number) => void;
}

/**
 * Group commit ({@link GroupCommit}) of synchronous predictions into batch jobs: the predictions that arrive while
 * an enqueue is in flight share one job, so the per-job costs of the queue (Redis scripts, events, locks, the
 * worker's bookkeeping) are paid once per group; an idle service enqueues every prediction at once, alone.
 */
export class PredictionBatcher {
  private readonly group: GroupCommit<InferenceJobData, BatchedPrediction>;

  constructor(opts: PredictionBatcherOptions) {
    this.group = new GroupCommit({
      maxItems: opts.maxItems,
      maxInFlight: opts.maxInFlight,
      ...(opts.onBatch ? { onGroup: opts.onBatch } : {}),
      commit: async (items) => {
        const batchId = newBatchId();
        const waits = items.map(() => opts.register(batchId));
        try {
          await opts.enqueue(batchId, items);
        } catch (err) {
          for (const w of waits) w.cancel();
          throw err;
        }
        return waits.map((wait, index) => ({ id: batchItemId(batchId, index), batchId, index, wait }));
      },
    });
  }

  /** Predictions waiting for their batch job to be enqueued. */
  get waiting(): number {
    return this.group.waiting;
  }

  /** Resolves once the prediction's batch job is in Redis; rejects with the enqueue's error otherwise. */
  submit(data: InferenceJobData): Promise<BatchedPrediction> {
    return this.group.submit(data);
  }
}
