import { loadMnistTrain } from '@mserve/datasets';
import { MNIST_SKEW, MNIST_STROKE, mnistShape } from './mnist-shape';

/** Every k-th training digit: 1,000 of the 10,000, all classes (they are stored by class). */
const STEP = 10;

describe('MNIST shape constants', () => {
  const skews: number[] = [];
  const strokes: number[] = [];
  beforeAll(() => {
    const train = loadMnistTrain();
    for (let i = 0; i < train.n; i += STEP) {
      const s = mnistShape(train.images.subarray(i * 784, (i + 1) * 784));
      if (!s) continue;
      skews.push(s.skew);
      strokes.push(s.stroke);
    }
    strokes.sort((a, b) => a - b);
  });
  const q = (p: number): number => strokes[Math.floor(p * (strokes.length - 1))]!;

  it('match the mean skew of the training digits', () => {
    expect(Math.abs(skews.reduce((a, b) => a + b, 0) / skews.length - MNIST_SKEW)).toBeLessThan(0.015);
  });

  it('match the quartiles of the relative stroke width of the training digits', () => {
    expect(Math.abs(q(0.25) - MNIST_STROKE.low)).toBeLessThan(0.006);
    expect(Math.abs(q(0.5) - MNIST_STROKE.median)).toBeLessThan(0.006);
    expect(Math.abs(q(0.75) - MNIST_STROKE.high)).toBeLessThan(0.006);
  });
});
