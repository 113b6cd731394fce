import {
  bruteForceInjected,
  DropoutCovariance,
  fastMcDropout,
  fastMcScratch,
  NORMAL_ROWS,
  normalTable,
  summarizeProbabilitySamples,
} from './mc-dropout';
import { Rng } from './prng';

/** A random last Dense layer and sparse non-negative features, like a flattened digit. */
function fixture(
  seed: number,
  inDim = 300,
  outDim = 10,
): { dense: { kernel: Float32Array; bias: Float32Array; inDim: number; outDim: number }; x: Float32Array } {
  const rng = new Rng(seed);
  const kernel = Float32Array.from({ length: inDim * outDim }, () => 0.15 * rng.normal());
  const bias = Float32Array.from({ length: outDim }, () => 0.1 * rng.normal());
  const x = Float32Array.from({ length: inDim }, () => (rng.uniform() < 0.3 ? rng.uniform() : 0));
  return { dense: { kernel, bias, inDim, outDim }, x };
}

function logitsOf(dense: ReturnType<typeof fixture>['dense'], x: Float32Array): Float64Array {
  const z = Float64Array.from(dense.bias);
  for (let i = 0; i < dense.inDim; i++)
    for (let j = 0; j < dense.outDim; j++)
      z[j] = (z[j] as number) + (x[i] as number) * (dense.kernel[i * dense.outDim + j] as number);
  return z;
}

/**
 * The fast path written the plain way: the same Cholesky factor and antithetic draws from the same table rows,
 * each draw's softmax computed on its own. Reads the factor through a T = 2 call's scratch.
 */
function plainMc(cov: DropoutCovariance, x: Float32Array, z: Float64Array, p: number, T: number, rng: Rng) {
  const k = cov.k;
  const scratch = fastMcScratch(k);
  // Fills scratch.L exactly as the fast path does, and consumes nothing from `rng` (it gets its own).
  fastMcDropout(cov, x, 0, z, 0, p, 2, new Rng(0), scratch);
  const table = normalTable(k);
  const samples: number[][] = [];
  let row = rng.nextU32() % NORMAL_ROWS;
  for (let t = 0; t < T; t += 2) {
    const d = Array.from({ length: k }, (_, i) => {
      let s = 0;
      for (let j = 0; j <= i; j++) s += scratch.L[i * k + j]! * table[row * k + j]!;
      return s;
    });
    row = (row + 1) % NORMAL_ROWS;
    for (const sign of t + 1 < T ? [1, -1] : [1]) {
      const draw = Array.from(z, (v, j) => v + sign * d[j]!);
      const m = Math.max(...draw);
      const w = draw.map((v) => Math.exp(v - m));
      const se = w.reduce((a, b) => a + b, 0);
      samples.push(w.map((v) => v / se));
    }
  }
  return summarizeProbabilitySamples(samples, 0, k);
}

describe('fast MC dropout', () => {
  // Tolerance: with T = 4000 the Monte-Carlo error of both estimates is ~0.005 nats; the Gaussian approximation
  // of a sum of ~90 Bernoulli terms adds a bias well under 0.02 nats of entropy and 10% of mutual information.
  it.each([0.1, 0.25, 0.5])(
    'agrees with brute-force Bernoulli sampling at p=%s (entropy within 0.03 nats, MI within 15%%)',
    (p) => {
      for (const seed of [1, 2, 3]) {
        const { dense, x } = fixture(seed);
        const cov = new DropoutCovariance(dense);
        const z = logitsOf(dense, x);
        const fast = fastMcDropout(cov, x, 0, z, 0, p, 4000, new Rng(7));
        const brute = bruteForceInjected(dense, x, 0, p, 4000, new Rng(8));
        expect(Math.abs(fast.entropy - brute.entropy)).toBeLessThan(0.03);
        expect(Math.abs(fast.expectedEntropy - brute.expectedEntropy)).toBeLessThan(0.03);
        expect(Math.abs(fast.mutualInformation - brute.mutualInformation)).toBeLessThan(
          0.15 * brute.mutualInformation + 0.003,
        );
        for (let j = 0; j < 10; j++)
          expect(Math.abs((fast.mean[j] as number) - (brute.mean[j] as number))).toBeLessThan(0.02);
      }
    },
  );

  it('returns the deterministic softmax with zero mutual information for T = 1', () => {
    const { dense, x } = fixture(4);
    const z = logitsOf(dense, x);
    const s = fastMcDropout(new DropoutCovariance(dense), x, 0, z, 0, 0.3, 1, new Rng(1));
    const m = Math.max(...z);
    const e = Array.from(z, (v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((v, j) => expect(s.mean[j]).toBeCloseTo(v / sum, 10));
    expect(s.mutualInformation).toBe(0);
  });

  it('gives identical results for the same seed and different ones for another', () => {
    const { dense, x } = fixture(5);
    const cov = new DropoutCovariance(dense);
    const z = logitsOf(dense, x);
    const a = fastMcDropout(cov, x, 0, z, 0, 0.3, 50, new Rng(11));
    const b = fastMcDropout(cov, x, 0, z, 0, 0.3, 50, new Rng(11));
    const c = fastMcDropout(cov, x, 0, z, 0, 0.3, 50, new Rng(12));
    expect(b).toEqual(a);
    expect(c.entropy).not.toBe(a.entropy);
  });

  // 10 and 3 classes run the generated kernel, 70 the plain loops.
  it.each([10, 3, 70])(
    'matches the plain per-draw softmax of the same Gaussian draws to rounding with %i classes, including deviations too large to share exps',
    (classes) => {
      // Scale 400 makes the logit deviations exceed the shared-exp limit often: both paths are exercised.
      for (const [seed, scale] of [
        [21, 1],
        [22, 1],
        [23, 400],
      ] as const) {
        const { dense, x } = fixture(seed, 300, classes);
        const big = Float32Array.from(x, (v) => v * scale);
        const cov = new DropoutCovariance(dense);
        const z = logitsOf(dense, big);
        for (const T of [2, 3, 101, 1000]) {
          const fast = fastMcDropout(cov, big, 0, z, 0, 0.3, T, new Rng(seed));
          const slow = plainMc(cov, big, z, 0.3, T, new Rng(seed));
          // Entropies: the fast path's lse - sum(p z) cancels large logits, so allow rounding of their size.
          expect(Math.abs(fast.entropy - slow.entropy)).toBeLessThan(1e-12);
          expect(Math.abs(fast.expectedEntropy - slow.expectedEntropy)).toBeLessThan(1e-9);
          for (let j = 0; j < classes; j++) {
            expect(Math.abs(fast.mean[j]! - slow.mean[j]!)).toBeLessThan(1e-12);
            expect(Math.abs(fast.perClassVariance[j]! - slow.perClassVariance[j]!)).toBeLessThan(1e-12);
          }
        }
      }
    },
  );

  it('summarises explicit probability samples into mean, entropies and per-class variance', () => {
    const s = summarizeProbabilitySamples(
      [
        [1, 0],
        [0, 1],
      ],
      0,
      2,
    );
    expect(Array.from(s.mean)).toEqual([0.5, 0.5]);
    expect(s.entropy).toBeCloseTo(Math.log(2), 12);
    expect(s.expectedEntropy).toBe(0);
    expect(s.mutualInformation).toBeCloseTo(Math.log(2), 12);
    expect(Array.from(s.perClassVariance)).toEqual([0.25, 0.25]);
  });
});
