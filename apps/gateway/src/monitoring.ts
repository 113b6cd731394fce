/**
 * The drift monitor's gateway side: reads the per-minute buckets every worker writes (see `@mserve/drift`), renders
 * `GET /v1/monitoring`, and records feedback labels once per job. I/O lives in {@link MonitoringStore}; the
 * rendering and the feedback rule are plain functions.
 */
import { AppError, type Logger } from '@mserve/common';
import type { Feedback, Monitoring, MonitoringWindow } from '@mserve/contracts';
import {
  DEFAULT_ALARM_RULE,
  TIME_WINDOWS,
  addFeedback,
  addToBucket,
  driftStats,
  emptyCounts,
  minuteOf,
  readWindows,
  referenceFor,
  type AlarmRule,
  type DriftCounts,
  type DriftReference,
  type TimeWindowName,
} from '@mserve/drift';
import { createRedis, queueNameFor, type RedisClient, type RedisEndpoint } from '@mserve/redis';
import type { JobSnapshot } from './pipeline/job-snapshot';

/** What the routes need of the monitor's storage. */
export interface MonitoringPort {
  /** Counts of each time window ending now. */
  windows(): Promise<Record<TimeWindowName, DriftCounts>>;
  /** Stores `label` as job `jobId`'s feedback unless one is stored; returns the label stored before, if any. */
  claimFeedback(jobId: string, label: number): Promise<number | null>;
  /** Adds one feedback observation to the current minute. */
  recordFeedback(correct: boolean, reliability: number): Promise<void>;
  close(): Promise<void>;
}

/** Redis side of the monitor, on a connection of its own (scrapes never queue behind submissions). */
export class MonitoringStore implements MonitoringPort {
  private readonly redis: RedisClient;
  private readonly prefix: string;

  constructor(
    config: RedisEndpoint & {
      REDIS_TIMEOUT_MS: number;
      QUEUE_PREFIX: string;
      QUEUE_NAME: string;
      RESULT_TTL_S: number;
    },
    logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.redis = createRedis(config, 'command', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: Math.max(1000, config.REDIS_TIMEOUT_MS),
      commandTimeout: config.REDIS_TIMEOUT_MS * 5,
    });
    this.redis.on('error', (err) => logger.debug({ err: err.message }, 'redis monitoring connection error'));
    // The workers' drift buckets (`apps/worker/src/run.ts`): read in one pipeline, so on a cluster they share a
    // hash tag.
    this.prefix = `${config.QUEUE_PREFIX}:${queueNameFor(config, config.QUEUE_NAME)}`;
    this.feedbackTtlS = Math.max(3600, config.RESULT_TTL_S);
  }

  private readonly feedbackTtlS: number;

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new AppError('REDIS_UNAVAILABLE', 'monitoring state unavailable (Redis)', undefined, { cause: e });
    }
  }

  windows() {
    return this.call(() => readWindows(this.redis, this.prefix, this.now()));
  }

  async claimFeedback(jobId: string, label: number): Promise<number | null> {
    const key = `${this.prefix}:feedback:${jobId}`;
    const set = await this.call(() => this.redis.set(key, String(label), 'EX', this.feedbackTtlS, 'NX'));
    if (set === 'OK') return null;
    const prev = await this.call(() => this.redis.get(key));
    return prev === null ? null : Number(prev);
  }

  recordFeedback(correct: boolean, reliability: number) {
    const c = addFeedback(emptyCounts(), { correct, reliability });
    return this.call(() => addToBucket(this.redis, this.prefix, minuteOf(this.now()), c));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/** One window as the API shows it. */
export function renderWindow(
  c: DriftCounts,
  minutes: number,
  ref: DriftReference | undefined,
  rule: AlarmRule,
): MonitoringWindow {
  // Without a reference the statistics are computed against a neutral one and only the raw values are shown.
  const s = driftStats(c, ref ?? NEUTRAL_REFERENCE, rule);
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  return {
    minutes,
    requests: s.n,
    oodRate: clamp(s.oodRate),
    estimatedAccuracy: clamp(s.estimatedAccuracy),
    classMix: s.classMix.map(clamp),
    classPsi: ref ? Math.max(0, s.classPsi) : 0,
    classChiSquare: ref ? Math.max(0, s.classChiSquare) : 0,
    facts: s.factMeans,
    z: ref ? s.z : null,
    score: ref && s.n > 0 ? s.score : null,
    driver: ref && s.n > 0 ? s.driver : null,
    inputScore: ref && s.n > 0 ? s.inputScore : null,
    inputDriver: ref && s.n > 0 ? s.inputDriver : null,
    alarm: ref ? s.alarm : false,
    feedback: {
      labels: s.feedback.n,
      realisedAccuracy: s.feedback.realisedAccuracy,
      estimatedAccuracy: s.feedback.estimatedAccuracy === null ? null : clamp(s.feedback.estimatedAccuracy),
    },
  };
}

const NEUTRAL_REFERENCE: DriftReference = {
  model: { name: '', digest: '' },
  source: 'none',
  n: 1,
  oodRate: 0,
  reliability: { mean: 1, sd: 1 },
  classMix: new Array<number>(10).fill(0.1),
  facts: {
    inkFraction: { mean: 0, sd: 1 },
    outputInk: { mean: 0, sd: 1 },
    strokeWidth: { mean: 0, sd: 1 },
    bboxAspect: { mean: 0, sd: 1 },
    bboxFill: { mean: 0, sd: 1 },
  },
};

/** `GET /v1/monitoring` of the windows' counts. */
export function renderMonitoring(
  model: { name: string; digest: string },
  windows: Record<TimeWindowName, DriftCounts>,
  rule: AlarmRule = DEFAULT_ALARM_RULE,
): Monitoring {
  const ref = referenceFor(model.digest);
  return {
    model,
    reference: ref ? { source: ref.source, requests: ref.n } : null,
    rule: { threshold: rule.threshold, minCount: rule.minCount, maxEffectiveN: rule.maxEffectiveN },
    windows: {
      '5m': renderWindow(windows['5m'], TIME_WINDOWS['5m'], ref, rule),
      '1h': renderWindow(windows['1h'], TIME_WINDOWS['1h'], ref, rule),
    },
  };
}

/** Reads a feedback body: `{label}` with an integer 0..9 (400 VALIDATION_FAILED otherwise). */
export function parseFeedback(body: unknown): number {
  const label = (body as { label?: unknown } | null | undefined)?.label;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('VALIDATION_FAILED', 'feedback body must be a JSON object {"label": <0-9>}');
  }
  const extra = Object.keys(body).filter((k) => k !== 'label');
  if (extra.length > 0) throw new AppError('VALIDATION_FAILED', `unknown feedback field ${extra[0]}`);
  if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label > 9) {
    throw new AppError('VALIDATION_FAILED', 'label must be an integer digit 0-9');
  }
  return label;
}

/**
 * Records the true `label` of job `snap`: only a completed job can be judged (409 JOB_NOT_COMPLETED), a job gets one
 * label (the same label again is answered as before and counted once; another label is 409 FEEDBACK_CONFLICT).
 */
export async function recordJobFeedback(snap: JobSnapshot, label: number, port: MonitoringPort): Promise<Feedback> {
  if (snap.status !== 'completed' || !snap.result) {
    throw new AppError('JOB_NOT_COMPLETED', `job ${snap.id} is ${snap.status}; feedback is for completed jobs`, {
      jobId: snap.id,
      status: snap.status,
    });
  }
  const { prediction, uncertainty } = snap.result.result;
  const prev = await port.claimFeedback(snap.id, label);
  if (prev !== null && prev !== label) {
    throw new AppError('FEEDBACK_CONFLICT', `job ${snap.id} already has feedback label ${prev}`, {
      jobId: snap.id,
      label: prev,
    });
  }
  const correct = prediction === label;
  if (prev === null) await port.recordFeedback(correct, uncertainty.reliability);
  return { jobId: snap.id, label, prediction, correct, reliability: uncertainty.reliability, replayed: prev !== null };
}
