import { maxFilter, thickenRadius, THIN_STROKE } from './stroke';

function naiveMax(data: Float32Array, width: number, height: number, r: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let m = 0;
      for (let yy = Math.max(0, y - r); yy <= Math.min(height - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(width - 1, x + r); xx++)
          m = Math.max(m, data[yy * width + xx]!);
      }
      out[y * width + x] = m;
    }
  }
  return out;
}

describe('maxFilter', () => {
  it.each([1, 2, 3, 7, 20])('equals the brute-force square maximum for radius %i', (r) => {
    const width = 23;
    const height = 17;
    let s = r;
    const data = Float32Array.from({ length: width * height }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s >>> 8) / 2 ** 24;
    });
    expect(Array.from(maxFilter({ data, width, height }, r).data)).toEqual(
      Array.from(naiveMax(data, width, height, r)),
    );
  });
});

describe('thickenRadius', () => {
  it('leaves strokes of MNIST-like width alone and thickens hairlines in proportion to the digit size', () => {
    expect(thickenRadius(0.1, 200)).toBe(0);
    expect(thickenRadius(THIN_STROKE, 200)).toBe(0);
    expect(thickenRadius(0, 200)).toBe(0);
    expect(thickenRadius(0.01, 200)).toBe(8);
    expect(thickenRadius(0.01, 20)).toBe(1);
  });
});
