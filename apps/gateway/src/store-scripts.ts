import type { RedisClient } from '@mserve/redis';

/**
 * The gateway's own Redis scripts: reads that would otherwise take a MULTI or a pipeline. One EVALSHA is one
 * command and one socket write, and costs the gateway none of ioredis' per-call Pipeline set-up, which a profile of
 * the async path showed to be its largest Redis cost.
 */
const SCRIPTS = {
  /** Sum of LLEN KEYS[i] + ZCARD KEYS[i+1] over pairs of keys: jobs waiting in the queues' wait lists and prioritized sets. */
  mserveWaiting: {
    numberOfKeys: 4,
    lua: `local n = 0
for i = 1, #KEYS, 2 do n = n + redis.call('LLEN', KEYS[i]) + redis.call('ZCARD', KEYS[i + 1]) end
return n`,
  },
  /** The job hash KEYS[1] as a flat field/value list, and the position of job ARGV[1] in the active list KEYS[2]. */
  mserveJobRead: {
    numberOfKeys: 2,
    lua: `local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return {h, false} end
return {h, redis.call('LPOS', KEYS[2], ARGV[1])}`,
  },
  /** SET KEYS[1] ARGV[1] NX PX ARGV[2]: nil when set, else the value already there (an idempotency key claim). */
  mserveClaim: {
    numberOfKeys: 1,
    lua: `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('GET', KEYS[1])`,
  },
  /**
   * Replaces KEYS[1] by ARGV[2] for ARGV[3] s, or deletes it when ARGV[2] is empty, only while its JSON still names
   * job ARGV[1]: a gateway whose claim lapsed must not overwrite the claim of the one after it.
   */
  mserveSettle: {
    numberOfKeys: 1,
    lua: `local v = redis.call('GET', KEYS[1])
if not v or cjson.decode(v).jobId ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
return 1`,
  },
  /**
   * Stops job ARGV[1] unless it finished: flags it (cancelRequestedAt, read by workers taking it), and when it was
   * still queued (wait, prioritized, paused or delayed) takes it out and fails it with reason ARGV[3], with the
   * `failed` event BullMQ would send, in one step, so no worker can take it in between. Returns missing, finished,
   * active (flagged only) or stopped. KEYS: job hash, active, wait, prioritized, paused, delayed, failed, events.
   */
  mserveStop: {
    numberOfKeys: 8,
    lua: `if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('HEXISTS', KEYS[1], 'finishedOn') == 1 then return 'finished' end
redis.call('HSETNX', KEYS[1], 'cancelRequestedAt', ARGV[2])
local removed = redis.call('LREM', KEYS[3], 0, ARGV[1]) + redis.call('ZREM', KEYS[4], ARGV[1])
  + redis.call('LREM', KEYS[5], 0, ARGV[1]) + redis.call('ZREM', KEYS[6], ARGV[1])
if removed == 0 then return 'active' end
redis.call('HSET', KEYS[1], 'finishedOn', ARGV[2], 'processedOn', ARGV[2], 'failedReason', ARGV[3])
redis.call('ZADD', KEYS[7], ARGV[2], ARGV[1])
redis.call('XADD', KEYS[8], 'MAXLEN', '~', ARGV[4], '*', 'event', 'failed', 'jobId', ARGV[1], 'failedReason', ARGV[3], 'prev', 'waiting')
return 'stopped'`,
  },
} as const;

/** A Redis connection with the gateway's scripts. */
export interface StoreRedis {
  mserveWaiting(...keys: [string, string, string, string]): Promise<number>;
  mserveJobRead(hashKey: string, activeKey: string, jobId: string): Promise<[string[], number | null]>;
  mserveClaim(key: string, value: string, leaseMs: number): Promise<string | null>;
  mserveSettle(key: string, jobId: string, value: string, ttlS: number): Promise<number>;
  mserveStop(
    ...args: [...keys: string[], jobId: string, now: number, reason: string, maxEvents: number]
  ): Promise<string>;
}

/** Defines the scripts on `redis` (sent as EVALSHA, loaded on first use). */
export function withStoreScripts<R extends RedisClient>(redis: R): R & StoreRedis {
  for (const [name, def] of Object.entries(SCRIPTS)) redis.defineCommand(name, def);
  return redis as R & StoreRedis;
}

/** A flat HGETALL reply (`[field, value, ...]`) as an object. */
export function hashFromList(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i] as string] = list[i + 1] as string;
  return out;
}

/** A JSON field of a job hash, or null when it does not parse (as BullMQ's own reader treats it). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** A hash of JSON values, skipping fields that do not parse. */
export function parseHash<T>(all: Record<string, string>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(all)) {
    const parsed = parseJson(v);
    if (parsed && typeof parsed === 'object') out[k] = parsed as T;
  }
  return out;
}
