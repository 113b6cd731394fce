import { durationList, parseDuration, parseRetryAfter, retryDelay } from './schedule';

describe('retry schedule', () => {
  it('parses durations with units and rejects nonsense', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('soon')).toEqual({ error: expect.stringContaining('soon') });
    expect(durationList({ doc: '', default: [] }).parse('5s, 30s,2m')).toEqual([5000, 30_000, 120_000]);
    expect(durationList({ doc: '', default: [] }).show([5000, 120_000, 3_600_000])).toBe('5s,2m,1h');
  });

  it('spreads each delay within ±jitter and repeats the last delay past the end', () => {
    const schedule = [1000, 10_000];
    expect(retryDelay(schedule, 1, 0.2, () => 0)).toBe(800);
    expect(retryDelay(schedule, 1, 0.2, () => 1)).toBe(1200);
    expect(retryDelay(schedule, 2, 0, Math.random)).toBe(10_000);
    expect(retryDelay(schedule, 7, 0, Math.random)).toBe(10_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('later', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
