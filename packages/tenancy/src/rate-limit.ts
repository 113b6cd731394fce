/**
 * Per-key request rate: a token bucket in Redis, refilled continuously at `ratePerS` up to `burst`, taken from by
 * one Lua script so gateways racing the same key never both spend its last token. The clock is Redis' own (TIME),
 * so gateways with skewed clocks agree.
 */
import type { Cluster, default as IORedis } from 'ioredis';

const TAKE = `local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local ok = 0
if tokens >= 1 then tokens = tokens - 1; ok = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {ok, tostring(tokens)}`;

/** What one take found: whether the request may go, and the bucket's state for the RateLimit headers. */
export interface RateDecision {
  allowed: boolean;
  /** Whole tokens left. */
  remaining: number;
  /** Seconds until a token is there again (0 when one is). */
  retryAfterS: number;
  /** Seconds until the bucket is full again. */
  resetS: number;
}

interface RateRedis {
  mserveTakeToken(key: string, ratePerS: number, burst: number): Promise<[number, string]>;
}

/** Defines the script on `redis` (EVALSHA, loaded on first use). */
export function withRateLimitScript<R extends IORedis | Cluster>(redis: R): R & RateRedis {
  redis.defineCommand('mserveTakeToken', { numberOfKeys: 1, lua: TAKE });
  return redis as R & RateRedis;
}

/** Takes one token from `key`'s bucket. */
export async function takeToken(redis: RateRedis, key: string, ratePerS: number, burst: number): Promise<RateDecision> {
  const [ok, left] = await redis.mserveTakeToken(key, ratePerS, burst);
  const tokens = Number(left);
  return {
    allowed: ok === 1,
    remaining: Math.floor(tokens),
    retryAfterS: tokens >= 1 ? 0 : Math.ceil((1 - tokens) / ratePerS),
    resetS: Math.ceil((burst - tokens) / ratePerS),
  };
}

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): the policy (`q` requests per `w`
 * seconds, the bucket's burst over the time it takes to refill) and the state (`r` remaining, `t` seconds to reset).
 */
export function rateLimitHeaders(d: RateDecision, ratePerS: number, burst: number): Record<string, string> {
  const window = Math.max(1, Math.ceil(burst / ratePerS));
  return {
    'RateLimit-Policy': `"per-key";q=${burst};w=${window}`,
    RateLimit: `"per-key";r=${d.remaining};t=${d.allowed ? d.resetS : d.retryAfterS}`,
  };
}
