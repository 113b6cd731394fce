import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assetPath } from '@mserve/common';
import { preprocess } from './preprocess';

const dir = assetPath('data/images');
const files = readdirSync(dir).sort();

describe('the shared sample images', () => {
  it('include the three sizes the cost report measures', () => {
    expect(files).toEqual(expect.arrayContaining(['3.png', 'colour_500_332.jpg', 'grayscale_999_893.png']));
  });

  it.each(files)('%s yields a valid input for grey and RGB models in both modes', async (name) => {
    const buf = readFileSync(path.join(dir, name));
    for (const inputShape of [
      [28, 28],
      [28, 28, 3],
    ]) {
      for (const mode of ['mnist', 'naive'] as const) {
        const r = await preprocess(buf, { inputShape, mode });
        expect(r.shape).toEqual(inputShape);
        expect(r.tensor).toHaveLength(inputShape.length === 3 ? 784 * 3 : 784);
        expect(r.tensor.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
        expect(r.facts.width).toBeGreaterThan(0);
      }
    }
  });

  it('recognises the MNIST digits as light ink on dark, and the photos as colourful', async () => {
    const digit = await preprocess(readFileSync(path.join(dir, '3.png')), { inputShape: [28, 28] });
    expect(digit.facts).toMatchObject({ polarity: 'light-on-dark', inverted: false, colourfulness: 0 });
    expect(digit.facts.inkFraction).toBeGreaterThan(0.05);
    const photo = await preprocess(readFileSync(path.join(dir, 'colour_500_332.jpg')), { inputShape: [28, 28] });
    expect(photo.facts.colourfulness).toBeGreaterThan(30);
  });
});
