import { bruteForceInjected, DropoutCovariance, fastMcDropout, summarizeProbabilitySamples } from './mc-dropout';
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
