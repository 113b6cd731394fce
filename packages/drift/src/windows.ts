/**
 * Windows over a stream: a sliding window of the last N observations (tests and the offline evaluation), and
 * time windows summed from per-minute buckets (the service: every process adds to the bucket of the current minute).
 */
import { addObservation, emptyCounts, mergeCounts, type DriftCounts, type Observation } from './counts';

/** The last `size` observations, updated in O(1) per observation. */
export class CountWindow {
  readonly counts: DriftCounts = emptyCounts();
  private readonly ring: Observation[] = [];
  private next = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('window size must be a positive integer');
  }

  /** Adds `o`, dropping the oldest observation once the window is full. */
  push(o: Observation): DriftCounts {
    if (this.ring.length < this.size) this.ring.push(o);
    else {
      addObservation(this.counts, this.ring[this.next] as Observation, -1);
      this.ring[this.next] = o;
      this.next = (this.next + 1) % this.size;
    }
    return addObservation(this.counts, o);
  }
}

/** The time windows the service reports, in minutes. */
export const TIME_WINDOWS = { '5m': 5, '1h': 60 } as const;
/** Name of a time window. */
export type TimeWindowName = keyof typeof TIME_WINDOWS;

/** Epoch minute of `ms`: the bucket an observation at that time goes to. */
export function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000);
}

/** The minutes of a window of `minutes` ending with the minute of `nowMs` (the current, partial minute included). */
export function windowMinutes(nowMs: number, minutes: number): number[] {
  const last = minuteOf(nowMs);
  return Array.from({ length: minutes }, (_, i) => last - i);
}

/** Sum of buckets. */
export function sumBuckets(buckets: Iterable<DriftCounts>): DriftCounts {
  const total = emptyCounts();
  for (const b of buckets) mergeCounts(total, b);
  return total;
}
