import { modelInputImage } from './model-input';
import { encodeTensor } from './tensor';

describe('modelInputImage', () => {
  it('turns a [28, 28, 1] tensor into 784 grey bytes with 1.0 as 255 and 0 as 0', () => {
    const t = new Float32Array(28 * 28);
    t[0] = 1;
    t[29] = 0.5;
    const img = modelInputImage(encodeTensor(t, [28, 28, 1]));
    expect(img).toMatchObject({ width: 28, height: 28, encoding: 'grey8' });
    const bytes = Buffer.from(img.data, 'base64');
    expect(bytes.length).toBe(784);
    expect(bytes[0]).toBe(255);
    expect(bytes[29]).toBe(128);
    expect(bytes[1]).toBe(0);
  });

  it('keeps the first channel of a three-channel tensor and reads a leading batch axis', () => {
    const t = new Float32Array(2 * 3 * 3);
    t[3] = 1; // pixel 1, channel 0
    t[4] = 0.2; // pixel 1, channel 1: ignored
    const img = modelInputImage(encodeTensor(t, [1, 2, 3, 3]));
    expect(img).toMatchObject({ width: 3, height: 2 });
    expect([...Buffer.from(img.data, 'base64')]).toEqual([0, 255, 0, 0, 0, 0]);
  });

  it('clamps values outside [0, 1]', () => {
    const img = modelInputImage(encodeTensor(Float32Array.from([-1, 2]), [1, 2]));
    expect([...Buffer.from(img.data, 'base64')]).toEqual([0, 255]);
  });
});
