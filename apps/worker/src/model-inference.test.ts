import { firstNonFinite } from './model-inference';

describe('firstNonFinite', () => {
  it('names the first NaN or infinite number of a result', () => {
    expect(firstNonFinite({ prediction: 1, uncertainty: { reliability: NaN } })).toBe('result.uncertainty.reliability');
    expect(firstNonFinite({ probabilities: [0.5, Infinity] })).toBe('result.probabilities[1]');
  });

  it('accepts a result of finite numbers, strings and booleans', () => {
    expect(firstNonFinite({ prediction: 3, probabilities: [0.1, 0.9], method: 'x', reliable: true })).toBeUndefined();
  });
});
