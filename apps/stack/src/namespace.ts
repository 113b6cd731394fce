import os from 'node:os';
import type { RedisClient } from '@mserve/redis';

/**
 * The namespace (BullMQ key prefix) of a `pnpm start` stack: `STACK_PREFIX` when set, else `mserve-<PORT>`. Two
 * stacks on one machine cannot share a port, so by default they never share queues, while the same stack started
 * again on the same port finds its jobs and results from before.
 */
export function stackPrefix(configured: string, port: number): string {
  return configured !== '' ? configured : `mserve-${port}`;
}

/** Who holds a namespace. */
export interface LeaseHolder {
  pid: number;
  host: string;
  port: number;
  startedAt: string;
}

/** A namespace held by this process; released on stop, or expired `ttlMs` after the process died. */
export interface Lease {
  key: string;
  release(): Promise<void>;
}

/** The lease is refused: another live stack uses the namespace. */
export class NamespaceInUseError extends Error {
  constructor(
    readonly prefix: string,
    readonly holder: LeaseHolder | null,
  ) {
    const who = holder
      ? `another pnpm start (pid ${holder.pid} on ${holder.host}, gateway port ${holder.port}, since ${holder.startedAt})`
      : 'another pnpm start';
    super(
      `the Redis namespace "${prefix}" is in use by ${who}: its queues would be shared and each stack would take ` +
        `the other's jobs and webhook deliveries. Stop it, or give this stack its own namespace with STACK_PREFIX=<name>`,
    );
    this.name = 'NamespaceInUseError';
  }
}

// Refresh only while the key is still ours, so a lease taken over after an expiry is never extended by the loser.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the namespace `prefix` in Redis for this stack: a key with a short TTL, renewed every third of it while
 * the stack runs (a heartbeat). A second stack pointed at the same namespace is refused with the holder's pid and
 * host instead of silently sharing the queues; a stack that died without releasing (SIGKILL) stops blocking the
 * namespace once the TTL runs out, or at once when it ran on this host and its pid is gone.
 */
export async function acquireNamespace(
  redis: RedisClient,
  prefix: string,
  holder: Omit<LeaseHolder, 'host' | 'startedAt'>,
  ttlMs = 10_000,
): Promise<Lease> {
  const key = `${prefix}:mserve:stack`;
  const me: LeaseHolder = { ...holder, host: os.hostname(), startedAt: new Date().toISOString() };
  const value = JSON.stringify(me);
  for (let attempt = 0; attempt < 2; attempt++) {
    if ((await redis.set(key, value, 'PX', ttlMs, 'NX')) === 'OK') {
      const timer = setInterval(
        () => {
          redis.eval(RENEW, 1, key, value, String(ttlMs)).catch(() => undefined);
        },
        Math.floor(ttlMs / 3),
      );
      timer.unref();
      return {
        key,
        release: async () => {
          clearInterval(timer);
          await redis.eval(RELEASE, 1, key, value).catch(() => undefined);
        },
      };
    }
    const raw = await redis.get(key);
    let other: LeaseHolder | null = null;
    try {
      other = raw ? (JSON.parse(raw) as LeaseHolder) : null;
    } catch {
      other = null;
    }
    // A holder on this host whose process is gone left the key behind (SIGKILL): take the namespace over.
    if (other && other.host === me.host && other.pid !== process.pid && !alive(other.pid)) {
      await redis.eval(RELEASE, 1, key, raw ?? '');
      continue;
    }
    throw new NamespaceInUseError(prefix, other);
  }
  throw new NamespaceInUseError(prefix, null);
}
