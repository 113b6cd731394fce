import { percentile, summarise } from './stats';

describe('latency statistics', () => {
  it('uses nearest-rank percentiles so p99 of 100 samples is the 99th value', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 0.99)).toBe(99);
    expect(percentile(xs, 0.5)).toBe(50);
    expect(percentile(xs, 1)).toBe(100);
  });

  it('summarises unsorted samples without mutating them', () => {
    const xs = [5, 1, 3];
    const s = summarise(xs);
    expect(xs).toEqual([5, 1, 3]);
    expect(s).toMatchObject({ count: 3, mean: 3, p50: 3, max: 5 });
  });
});
