import { DEADLINE_MAX_S, deadlineAt, parseCancelAfter } from './deadline';
import { parseParams } from './params';

describe('deadlines', () => {
  it('reads Cancel-After as a duration with units or as seconds', () => {
    expect(parseCancelAfter('30s')).toBe(30_000);
    expect(parseCancelAfter('1h30m')).toBe(5_400_000);
    expect(parseCancelAfter('250ms')).toBe(250);
    expect(parseCancelAfter('1.5')).toBe(1500);
    expect(parseCancelAfter(undefined)).toBeUndefined();
  });

  it('refuses a Cancel-After that is no duration, zero, or over a week with a 400 naming the header', () => {
    for (const bad of ['', 'soon', '0', '-5s', '5d', `${DEADLINE_MAX_S + 1}`, ['1s', '2s']]) {
      expect(() => parseCancelAfter(bad)).toThrow(/Cancel-After/);
    }
  });

  it('takes the earliest of Cancel-After, deadline and MAX_QUEUE_TIME_S; none of them is no deadline', () => {
    expect(deadlineAt(1000, { cancelAfterMs: 500 }, 3600)).toBe(1500);
    expect(deadlineAt(1000, { cancelAfterMs: 5000, deadlineAt: 2000 }, 3600)).toBe(2000);
    expect(deadlineAt(1000, { cancelAfterMs: 9_999_000 }, 1)).toBe(2000);
    expect(deadlineAt(1000, {}, 0)).toBeUndefined();
  });

  it('accepts deadline as seconds or an instant, and refuses a past instant or a word', () => {
    const defaults = { samples: 5, alpha: 0.1 };
    const before = Date.now();
    expect(parseParams({ deadline: '10' }, defaults).deadlineAt).toBeGreaterThanOrEqual(before + 10_000);
    const at = new Date(Date.now() + 60_000).toISOString();
    expect(parseParams({ deadline: at }, defaults).deadlineAt).toBe(Date.parse(at));
    expect(() => parseParams({ deadline: '2001-01-01T00:00:00Z' }, defaults)).toThrow(/past/);
    expect(() => parseParams({ deadline: 'soon' }, defaults)).toThrow(/deadline must be/);
  });
});
