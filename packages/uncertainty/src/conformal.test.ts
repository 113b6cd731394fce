import { apsScore, apsSet, calibrateConformal, conformalThreshold } from './conformal';
import { Rng } from './prng';

/** A classifier's probability vector and a label drawn from it (so the probabilities are calibrated). */
function draw(rng: Rng, k = 10): { p: number[]; y: number } {
  const z = Array.from({ length: k }, () => 2.5 * rng.normal());
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  const p = e.map((v) => v / s);
  let u = rng.uniform();
  let y = 0;
  while (y < k - 1 && u > (p[y] as number)) u -= p[y++] as number;
  return { p, y };
}

describe('randomised APS conformal sets', () => {
  it.each([0.01, 0.05, 0.1])('cover the true label with probability 1 - alpha (alpha=%s) within 0.01', (alpha) => {
    const rng = new Rng(21);
    const cal = Array.from({ length: 5000 }, () => draw(rng));
    const c = calibrateConformal(cal.map(({ p, y }) => apsScore(p, y, rng.uniform())));
    const q = conformalThreshold(c, alpha);
    let covered = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const { p, y } = draw(rng);
      if (apsSet(p, q, rng.uniform()).includes(y)) covered++;
    }
    expect(Math.abs(covered / n - (1 - alpha))).toBeLessThan(0.01);
  });

  it('returns classes in decreasing probability and everything at an infinite threshold', () => {
    expect(apsSet([0.1, 0.6, 0.3], 0.8, 0.5)).toEqual([1, 2]);
    expect(apsSet([0.1, 0.6, 0.3], 0.7, 0.5)).toEqual([1]);
    expect(apsSet([0.1, 0.6, 0.3], Infinity, 0.5)).toEqual([1, 2, 0]);
  });

  it('treats abstained calibration inputs as never covered, raising the threshold to infinity when needed', () => {
    const c = calibrateConformal([0.1, 0.2, 0.3, Infinity]);
    expect(c.abstained).toBe(1);
    expect(conformalThreshold(c, 0.5)).toBe(0.3);
    expect(conformalThreshold(c, 0.01)).toBe(Infinity);
  });
});
