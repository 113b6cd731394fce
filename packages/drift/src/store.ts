/**
 * Window state in Redis, shared by every worker and gateway: one hash per minute
 * (`<prefix>:<queue>:drift:<epoch minute>`, expiring after the longest window) whose fields are the summed counts.
 * Writers add with HINCRBYFLOAT, so processes never overwrite each other; a window is the sum of its minutes.
 */
import {
  addFeedback,
  countsFromFields,
  countsToFields,
  emptyCounts,
  type DriftCounts,
  type FeedbackObservation,
  type Observation,
  addObservation,
} from './counts';
import { TIME_WINDOWS, minuteOf, sumBuckets, windowMinutes, type TimeWindowName } from './windows';

/** The few Redis commands the store uses (an ioredis client fits). */
export interface DriftRedis {
  pipeline(): DriftPipeline;
}
/** A Redis pipeline (MULTI-less batch) of the commands used. */
export interface DriftPipeline {
  hincrbyfloat(key: string, field: string, by: number): unknown;
  expire(key: string, seconds: number): unknown;
  hgetall(key: string): unknown;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

/** Buckets outlive the longest window by a few minutes (a late flush still lands in a counted minute). */
const BUCKET_TTL_S = (Math.max(...Object.values(TIME_WINDOWS)) + 5) * 60;

/** Key of the bucket of `minute`. */
export function bucketKey(keyPrefix: string, minute: number): string {
  return `${keyPrefix}:drift:${minute}`;
}

/** Adds `counts` to the bucket of `minute` (fields that are 0 are skipped). */
export async function addToBucket(
  redis: DriftRedis,
  keyPrefix: string,
  minute: number,
  counts: DriftCounts,
): Promise<void> {
  const key = bucketKey(keyPrefix, minute);
  const p = redis.pipeline();
  for (const [field, v] of Object.entries(countsToFields(counts))) if (v !== 0) p.hincrbyfloat(key, field, v);
  p.expire(key, BUCKET_TTL_S);
  const res = await p.exec();
  const err = res?.find(([e]) => e)?.[0];
  if (err) throw err;
}

/** Counts of each named time window ending now. */
export async function readWindows(
  redis: DriftRedis,
  keyPrefix: string,
  nowMs: number,
): Promise<Record<TimeWindowName, DriftCounts>> {
  const longest = Math.max(...Object.values(TIME_WINDOWS));
  const minutes = windowMinutes(nowMs, longest);
  const p = redis.pipeline();
  for (const m of minutes) p.hgetall(bucketKey(keyPrefix, m));
  const res = (await p.exec()) ?? [];
  const buckets = res.map(([e, v]) => {
    if (e) throw e;
    return countsFromFields((v ?? {}) as Record<string, string>);
  });
  const out = {} as Record<TimeWindowName, DriftCounts>;
  for (const [name, len] of Object.entries(TIME_WINDOWS) as [TimeWindowName, number][]) {
    out[name] = sumBuckets(buckets.slice(0, len));
  }
  return out;
}

/**
 * Collects observations in memory per minute and adds them to Redis on `flush()` (one pipeline per minute touched):
 * a worker calls `observe` per result and flushes every second, so recording costs no round trip per job.
 */
export class DriftRecorder {
  private pending = new Map<number, DriftCounts>();

  constructor(
    private readonly redis: DriftRedis,
    private readonly keyPrefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  private bucket(): DriftCounts {
    const m = minuteOf(this.now());
    let c = this.pending.get(m);
    if (!c) this.pending.set(m, (c = emptyCounts()));
    return c;
  }

  /** Records one completed prediction. */
  observe(o: Observation): void {
    addObservation(this.bucket(), o);
  }

  /** Records one feedback label. */
  feedback(f: FeedbackObservation): void {
    addFeedback(this.bucket(), f);
  }

  /** Writes what was collected; on a Redis error the counts are dropped (monitoring never blocks serving). */
  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    await Promise.all([...batch].map(([m, c]) => addToBucket(this.redis, this.keyPrefix, m, c)));
  }
}
