import type { Logger } from '@mserve/common';
import { QueueEvents, type ConnectionOptions } from 'bullmq';
import type { Ending, JobWaiters, Wait } from './pipeline/ports';

interface Waiter {
  resolve: (ending: Ending) => void;
}

const TIMEOUT: Ending = { kind: 'timeout' };
const ENDED: Ending = { kind: 'ended' };

/** Milliseconds of a stream entry id (`<ms>-<seq>`): when Redis recorded the event. */
function eventTime(id: string): number {
  const ms = Number(id.slice(0, id.indexOf('-')));
  return Number.isFinite(ms) && ms > 0 ? ms : Date.now();
}

/**
 * Long-poll support that scales: one QueueEvents stream per queue and process dispatches `completed`/`failed` events to a map
 * of waiters by job id (instead of `job.waitUntilFinished`, which adds listeners per call). Events can be missed
 * (a reconnect, a waiter registered just after the event), so callers re-read the job after registering and a
 * periodic re-check asks Redis which waited-on jobs have ended.
 */
export class CompletionWaiters implements JobWaiters {
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly events: QueueEvents[];
  private readonly recheckTimer: NodeJS.Timeout;
  private rechecking = false;

  constructor(
    opts: { connection: ConnectionOptions; prefix: string; queueNames: string[]; recheckMs: number },
    private readonly finishedAmong: (ids: string[]) => Promise<string[]>,
    private readonly logger: Logger,
  ) {
    // Job ids are unique across the queues (UUIDs of different versions), so one map of waiters serves them all.
    this.events = opts.queueNames.map((name) => {
      const events = new QueueEvents(name, {
        prefix: opts.prefix,
        // BullMQ duplicates a connection instance for its blocking reads; options it turns into a connection.
        connection: opts.connection,
      });
      events.on('error', (err) => this.logger.debug({ err: err.message }, 'queue events error'));
      events.on('completed', ({ jobId, returnvalue }, id) =>
        this.fire(jobId, { kind: 'completed', returnvalue, at: eventTime(id) }),
      );
      events.on('failed', ({ jobId, failedReason }, id) =>
        this.fire(jobId, { kind: 'failed', reason: failedReason, at: eventTime(id) }),
      );
      events.on('removed', ({ jobId }) => this.fire(jobId, ENDED));
      return events;
    });
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
    await Promise.all(this.events.map((e) => e.waitUntilReady()));
  }

  /** Registers a wait for `jobId` lasting at most `timeoutMs`. */
  wait(jobId: string, timeoutMs: number): Wait {
    let waiter!: Waiter;
    const timer = setTimeout(() => waiter.resolve(TIMEOUT), timeoutMs);
    const done = new Promise<Ending>((resolve) => {
      waiter = {
        resolve: (ending) => {
          clearTimeout(timer);
          this.remove(jobId, waiter);
          resolve(ending);
        },
      };
    });
    let set = this.waiters.get(jobId);
    if (!set) this.waiters.set(jobId, (set = new Set()));
    set.add(waiter);
    return { done, cancel: () => waiter.resolve(TIMEOUT) };
  }

  private remove(jobId: string, waiter: Waiter): void {
    const set = this.waiters.get(jobId);
    if (!set) return;
    set.delete(waiter);
    if (set.size === 0) this.waiters.delete(jobId);
  }

  private fire(jobId: string, ending: Ending): void {
    const set = this.waiters.get(jobId);
    if (!set) return;
    for (const w of [...set]) w.resolve(ending);
  }

  private async recheck(): Promise<void> {
    if (this.rechecking || this.waiters.size === 0) return;
    this.rechecking = true;
    try {
      const ended = await this.finishedAmong([...this.waiters.keys()]);
      for (const id of ended) this.fire(id, ENDED);
    } catch {
      // Redis away: the next tick tries again; requests end by their own timeout meanwhile.
    } finally {
      this.rechecking = false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.recheckTimer);
    for (const id of [...this.waiters.keys()]) {
      for (const w of [...(this.waiters.get(id) ?? [])]) w.resolve(TIMEOUT);
    }
    await Promise.all(this.events.map((e) => e.close().catch(() => undefined)));
  }
}
