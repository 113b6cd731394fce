import { AppError } from '@mserve/common';
import { confirmReplicated, type RedisClient } from '@mserve/redis';
import type IORedis from 'ioredis';

/** How {@link RedisCalls} bounds and confirms its operations. */
export interface RedisCallOptions {
  /** Deadline of one operation, ms (`REDIS_TIMEOUT_MS`). */
  timeoutMs: number;
  /** What the connection serves, as the 503 messages name it (default "the job queue"). */
  subject?: string;
  /** With `REDIS_DURABLE_ACKS`: replicas that must hold a write, and how long to wait for them (ms). */
  durable?: { replicas: number; timeoutMs: number };
}

/**
 * The gateway's way of running Redis operations on one of its connections (the job store's, the key store's): fail fast with REDIS_UNAVAILABLE when
 * the connection is down or slow, and (with durable acknowledgements) confirm writes on the replicas before the
 * caller acknowledges them.
 */
export class RedisCalls {
  /** How often the connection closed: a durable write must be written and confirmed on one connection. */
  private closes = 0;
  private wasConnected = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly opts: RedisCallOptions,
  ) {
    redis.on('close', () => this.closes++);
  }

  /** True while the connection is usable. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  /**
   * True once the connection has been up: a store made for a new version is not routed to before it; an outage
   * later keeps it true, so requests fail with REDIS_UNAVAILABLE as everywhere else.
   */
  get hasConnected(): boolean {
    if (this.connected) this.wasConnected = true;
    return this.wasConnected;
  }

  /** Resolves once the connection is usable, or after `ms` (a store made while serving warms up first). */
  async whenConnected(ms: number): Promise<void> {
    if (this.connected) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.redis.once('ready', done);
    });
  }

  /** Runs a Redis operation, failing fast with REDIS_UNAVAILABLE when the connection is down or slow. */
  async call<T>(op: () => Promise<T>): Promise<T> {
    const subject = this.opts.subject ?? 'the job queue';
    if (!this.connected) throw new AppError('REDIS_UNAVAILABLE', `${subject} is unavailable; retry shortly`);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        op(),
        new Promise<never>((_, reject) => {
          // The deadline is checked one event-loop turn late on purpose: when CPU work (image decoding) held the
          // loop past it, the reply may already sit in the socket, and the poll phase delivers it before
          // setImmediate runs, so a busy gateway does not mistake its own lag for Redis being down.
          timer = setTimeout(
            () =>
              setImmediate(() =>
                reject(new AppError('REDIS_UNAVAILABLE', `${subject} did not answer in time; retry shortly`)),
              ),
            this.opts.timeoutMs,
          );
        }),
      ]);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('REDIS_UNAVAILABLE', `${subject} is unavailable; retry shortly`, undefined, { cause: e });
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /**
   * Runs a write and, with durable acknowledgements, waits until the replicas hold it before the caller
   * acknowledges it: on the same connection, since WAIT covers the writes of its own client.
   */
  write<T>(op: () => Promise<T>): Promise<T> {
    const durable = this.opts.durable;
    if (!durable) return this.call(op);
    return this.call(async () => {
      const closesBefore = this.closes;
      const out = await op();
      // Never a cluster (the store refuses durable acknowledgements there): one connection to the primary.
      await confirmReplicated(this.redis as IORedis, durable.replicas, durable.timeoutMs);
      // WAIT confirms the writes of its own connection only. ioredis resends an unanswered command after a
      // reconnect, so a WAIT cut off by a failover is answered by the new primary, which may never have had the
      // job (the old one acknowledged it and died): no acknowledgement unless one connection did both.
      if (this.closes !== closesBefore) {
        throw new AppError(
          'REDIS_UNAVAILABLE',
          'the job queue failed over before the job was confirmed; retry shortly',
        );
      }
      return out;
    });
  }
}
