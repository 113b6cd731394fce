import { Rng } from './prng';
import { auroc, ece, fitIsotonic, fitLogistic, isotonicAt, logisticLogit, sortedQuantileHigher } from './stats';

describe('statistics', () => {
  it('computes AUROC as the share of positive-negative pairs ranked right, ties counting half', () => {
    expect(auroc([3, 4], [1, 2])).toBe(1);
    expect(auroc([1, 2], [3, 4])).toBe(0);
    expect(auroc([1, 3], [2, 2])).toBe(0.5);
    expect(auroc([2], [2])).toBe(0.5);
  });

  it('measures ECE as the count-weighted gap between mean score and accuracy per bin', () => {
    expect(ece([0.9, 0.9, 0.9, 0.9], [1, 1, 1, 0])).toBeCloseTo(0.15, 12);
    expect(ece([0.5, 0.5], [1, 0])).toBeCloseTo(0, 12);
  });

  it('recovers the weights of a logistic model from its own samples', () => {
    const rng = new Rng(9);
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const x = [rng.normal(), rng.normal()];
      X.push(x);
      y.push(rng.uniform() < 1 / (1 + Math.exp(-(2 * (x[0] as number) - (x[1] as number) + 0.5))) ? 1 : 0);
    }
    const m = fitLogistic(['a', 'b'], X, y, { l2: 0 });
    expect(logisticLogit(m, [1, 0]) - logisticLogit(m, [0, 0])).toBeCloseTo(2, 0);
    expect(logisticLogit(m, [0, 1]) - logisticLogit(m, [0, 0])).toBeCloseTo(-1, 0);
  });

  it('fits a non-decreasing isotonic map that averages violating neighbours', () => {
    const m = fitIsotonic([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1]);
    expect(m.y).toEqual([0, 0.5, 1]);
    for (let v = 0; v <= 1; v += 0.05) expect(isotonicAt(m, v + 0.05)).toBeGreaterThanOrEqual(isotonicAt(m, v));
  });

  it('takes the conformal "higher" quantile', () => {
    expect(sortedQuantileHigher([1, 2, 3, 4], 0.5)).toBe(2);
    expect(sortedQuantileHigher([1, 2, 3, 4], 0.51)).toBe(3);
  });
});
