import { cholesky, invertLower, symmetricEigen } from './linalg';
import { Rng } from './prng';

function randomSpd(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const b = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.1 : 0;
      for (let k = 0; k < n; k++) s += (b[i * n + k] as number) * (b[j * n + k] as number);
      a[i * n + j] = s;
    }
  return a;
}

describe('linear algebra', () => {
  it('eigendecomposes a symmetric matrix into orthonormal vectors with descending values that rebuild it', () => {
    const n = 30;
    const a = randomSpd(n, 3);
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1] as number);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let rebuilt = 0;
        let dot = 0;
        for (let k = 0; k < n; k++) {
          rebuilt += (vectors[i * n + k] as number) * (values[k] as number) * (vectors[j * n + k] as number);
          dot += (vectors[k * n + i] as number) * (vectors[k * n + j] as number);
        }
        expect(rebuilt).toBeCloseTo(a[i * n + j] as number, 8);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 10);
      }
  });

  it('inverts the Cholesky factor so that the whitened covariance is the identity', () => {
    const n = 12;
    const a = randomSpd(n, 4);
    const W = invertLower(cholesky(a, n), n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++)
          for (let l = 0; l < n; l++)
            s += (W[i * n + k] as number) * (a[k * n + l] as number) * (W[j * n + l] as number);
        expect(s).toBeCloseTo(i === j ? 1 : 0, 8);
      }
  });
});
