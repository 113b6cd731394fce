import type { EnvVarSpec } from '@mserve/common';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `250ms`, `5s`, `2m`, `1h`, `1d` or a bare number of milliseconds. */
export function parseDuration(text: string): number | { error: string } {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return { error: `bad duration "${text}" (use e.g. 500ms, 5s, 2m, 1h)` };
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1));
}

function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Env var spec of a comma-separated list of durations (the retry schedule), at least one entry. */
export function durationList(opts: { doc: string; default: number[] }): EnvVarSpec<number[]> {
  return {
    doc: opts.doc,
    unit: 'durations',
    default: opts.default,
    parse(raw) {
      const out: number[] = [];
      for (const part of raw.split(',').filter((p) => p.trim() !== '')) {
        const d = parseDuration(part);
        if (typeof d !== 'number') return d;
        out.push(d);
      }
      return out.length > 0 ? out : { error: 'at least one delay is needed' };
    },
    show: (v) => v.map(formatDuration).join(','),
  };
}

/**
 * Delay before retry number `retry` (1 = the first retry) from the schedule, with jitter spreading it over
 * ±`jitter` of its value so that many deliveries failing together (a receiver outage) do not retry in lockstep.
 * Past the end of the schedule the last delay repeats.
 */
export function retryDelay(schedule: readonly number[], retry: number, jitter: number, rand = Math.random): number {
  const base = schedule[Math.min(Math.max(retry, 1), schedule.length) - 1] ?? 0;
  return Math.max(0, Math.round(base * (1 - jitter + 2 * jitter * rand())));
}

/**
 * Milliseconds a `Retry-After` header asks for (delta-seconds or HTTP date), or null when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
