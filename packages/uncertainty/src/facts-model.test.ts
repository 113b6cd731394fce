import { factsRoute, factsScore, fitFactsModel, FACT_NAMES } from './facts-model';
import { Rng } from './prng';
import type { InputFactsLike } from './types';

function cloud(n: number, centre: number, seed: number): InputFactsLike[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () =>
    Object.fromEntries(FACT_NAMES.map((k) => [k, Math.abs(centre + 0.05 * rng.normal())])),
  );
}

describe('facts density routes', () => {
  const model = fitFactsModel([
    { name: 'pixels', facts: cloud(200, 0.2, 1) },
    { name: 'uploads', facts: cloud(200, 0.8, 2) },
    { name: 'shifted', facts: cloud(200, 1.6, 3) },
  ]);

  it('sends an input to the route of its nearest component, any upload component counting as uploads', () => {
    expect(factsRoute(model, cloud(1, 0.2, 4)[0])).toBe('pixels');
    expect(factsRoute(model, cloud(1, 0.8, 5)[0])).toBe('uploads');
    expect(factsRoute(model, cloud(1, 1.6, 6)[0])).toBe('uploads');
  });

  it('treats a raw tensor (no facts) as 28x28 pixels and scores it undefined', () => {
    expect(factsRoute(model, undefined)).toBe('pixels');
    expect(factsScore(model, undefined)).toBeUndefined();
  });
});
