import { batchItemId, newBatchId, type InferenceJobData } from '@mserve/contracts';
import type { Wait } from './ports';

/** Where a grouped prediction went: its own id, its batch job, and the wait for that job's end. */
export interface BatchedPrediction {
  id: string;
  batchId: string;
  index: number;
  wait: Wait;
}

interface Entry {
  data: InferenceJobData;
  resolve: (p: BatchedPrediction) => void;
  reject: (e: unknown) => void;
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
 * Group commit of synchronous predictions. A prediction arriving while nothing is being enqueued goes out at once,
 * alone, so an idle service adds no latency; predictions arriving while an enqueue is in flight wait for it and go
 * out together as one batch job. Under load the group size follows the arrival rate times Redis' round trip, and
 * the per-job costs of the queue are paid once per group. A full group does not wait for the one in flight.
 */
export class PredictionBatcher {
  private pending: Entry[] = [];
  private inFlight = 0;

  constructor(private readonly opts: PredictionBatcherOptions) {}

  /** Predictions waiting for their batch job to be enqueued. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Resolves once the prediction's batch job is in Redis; rejects with the enqueue's error otherwise. */
  submit(data: InferenceJobData): Promise<BatchedPrediction> {
    return new Promise((resolve, reject) => {
      this.pending.push({ data, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    const { maxItems, maxInFlight } = this.opts;
    while (
      this.pending.length > 0 &&
      this.inFlight < maxInFlight &&
      (this.inFlight === 0 || this.pending.length >= maxItems)
    ) {
      this.flush(this.pending.splice(0, maxItems));
    }
  }

  private flush(group: Entry[]): void {
    const batchId = newBatchId();
    const waits = group.map(() => this.opts.register(batchId));
    this.inFlight++;
    this.opts.onBatch?.(group.length);
    this.opts
      .enqueue(
        batchId,
        group.map((e) => e.data),
      )
      .then(
        () => {
          group.forEach((e, index) =>
            e.resolve({ id: batchItemId(batchId, index), batchId, index, wait: waits[index] as Wait }),
          );
        },
        (err: unknown) => {
          for (const w of waits) w.cancel();
          for (const e of group) e.reject(err);
        },
      )
      .finally(() => {
        this.inFlight--;
        this.drain();
      });
  }
}
