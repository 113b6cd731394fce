import { timeIt } from './floor';

describe('timeIt', () => {
  it('times each call after the warm-up ones and reports the median and the 90th percentile', async () => {
    const delays = [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 30];
    let i = 0;
    const calls: number[] = [];
    const t = await timeIt(
      async () => {
        const d = delays[i++] as number;
        calls.push(d);
        await new Promise((r) => setTimeout(r, d));
      },
      10,
      2,
    );
    expect(calls).toHaveLength(12);
    expect(t.n).toBe(10);
    // Timed calls slept 1..9 and 30 ms: the median is the sixth (6 ms sleep), p90 the tenth (30 ms). A timer may
    // fire a fraction of a millisecond before its delay as performance.now() counts it, hence the one-ms slack.
    expect(t.p50).toBeGreaterThanOrEqual(5);
    expect(t.p50).toBeLessThan(30);
    expect(t.p90).toBeGreaterThanOrEqual(29);
  });
});
