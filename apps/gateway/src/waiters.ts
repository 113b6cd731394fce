import type { Logger } from '@mserve/common';
import { QUEUE_PREFIX } from '@mserve/contracts';
import { QueueEvents } from 'bullmq';

/** A registered wait for one job's end. */
export interface Wait {
  /** Resolves true when the job ended (or vanished), false on timeout or cancel. */
  done: Promise<boolean>;
  cancel(): void;
}

interface Waiter {
  resolve: (ended: boolean) => void;
}

/**
 * Long-poll support that scales: one QueueEvents stream per process dispatches `completed`/`failed` events to a map
 * of waiters by job id (instead of `job.waitUntilFinished`, which adds listeners per call). Events can be missed
 * (a reconnect, a waiter registered just after the event), so callers re-read the job after registering and a
 * periodic re-check asks Redis which waited-on jobs have ended.
 */
export class CompletionWaiters {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly events: QueueEvents;
  private readonly recheckTimer: NodeJS.Timeout;
  private rechecking = false;

  constructor(
    opts: { redisUrl: string; queueName: string; recheckMs: number },
    private readonly finishedAmong: (ids: string[]) => Promise<string[]>,
    private readonly logger: Logger,
  ) {
    this.events = new QueueEvents(opts.queueName, {
      prefix: QUEUE_PREFIX,
      connection: {
        url: opts.redisUrl,
        maxRetriesPerRequest: null,
        retryStrategy: (times: number) => Math.min(100 * times, 1000),
      },
    });
    this.events.on('error', (err) => this.logger.debug({ err: err.message }, 'queue events error'));
    this.events.on('completed', ({ jobId }) => this.fire(jobId));
    this.events.on('failed', ({ jobId }) => this.fire(jobId));
    this.events.on('removed', ({ jobId }) => this.fire(jobId));
    this.recheckTimer = setInterval(() => void this.recheck(), opts.recheckMs);
    this.recheckTimer.unref();
  }

  /** Number of requests currently waiting. */
  get size(): number {
    let n = 0;
    for (const s of this.waiters.values()) n += s.size;
    return n;
  }

  /** Resolves once the events stream is connected (tests and startup use it). */
  async ready(): Promise<void> {
    await this.events.waitUntilReady();
  }

  /** Registers a wait for `jobId` lasting at most `timeoutMs`. */
  wait(jobId: string, timeoutMs: number): Wait {
    let waiter!: Waiter;
    const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
    const done = new Promise<boolean>((resolve) => {
      waiter = {
        resolve: (ended) => {
          clearTimeout(timer);
          this.remove(jobId, waiter);
          resolve(ended);
        },
      };
    });
    let set = this.waiters.get(jobId);
    if (!set) this.waiters.set(jobId, (set = new Set()));
    set.add(waiter);
    return { done, cancel: () => waiter.resolve(false) };
  }

  private remove(jobId: string, waiter: Waiter): void {
    const set = this.waiters.get(jobId);
    if (!set) return;
    set.delete(waiter);
    if (set.size === 0) this.waiters.delete(jobId);
  }

  private fire(jobId: string): void {
    const set = this.waiters.get(jobId);
    if (!set) return;
    for (const w of [...set]) w.resolve(true);
  }

  private async recheck(): Promise<void> {
    if (this.rechecking || this.waiters.size === 0) return;
    this.rechecking = true;
    try {
      const ended = await this.finishedAmong([...this.waiters.keys()]);
      for (const id of ended) this.fire(id);
    } catch {
      // Redis away: the next tick tries again; requests end by their own timeout meanwhile.
    } finally {
      this.rechecking = false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.recheckTimer);
    for (const id of [...this.waiters.keys()]) {
      for (const w of [...(this.waiters.get(id) ?? [])]) w.resolve(false);
    }
    await this.events.close().catch(() => undefined);
  }
}
