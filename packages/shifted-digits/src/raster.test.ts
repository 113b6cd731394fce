import { rasterise } from './raster';

const square = (x: number, y: number, side: number): Float64Array =>
  Float64Array.from([x, y, x + side, y, x + side, y + side, x, y + side]);

const sum = (a: Float32Array): number => a.reduce((s, v) => s + v, 0);

describe('rasterise', () => {
  it('covers exactly the area of a pixel-aligned square, inside it and nowhere else', () => {
    const cov = rasterise([square(10, 12, 20)], 50, 50);
    expect(sum(cov)).toBeCloseTo(400, 6);
    expect(cov[15 * 50 + 15]).toBe(1);
    expect(cov[5 * 50 + 5]).toBe(0);
  });

  it('anti-aliases edges that fall between pixels', () => {
    const cov = rasterise([square(10.5, 10, 8)], 30, 30);
    // Coverage is counted on a supersampled grid: close to a half, to within one sample column.
    expect(cov[12 * 30 + 10]).toBeGreaterThan(0.3);
    expect(cov[12 * 30 + 10]).toBeLessThan(0.7);
    expect(sum(cov)).toBeCloseTo(64, 0);
  });

  it('grows an outline by the offset as a rounded dilation and shrinks it by a negative one', () => {
    const side = 20;
    const r = 3;
    const grown = sum(rasterise([square(20, 20, side)], 64, 64, r));
    // Dilating a square by a disc: the square, four r-wide strips and four quarter discs.
    expect(grown).toBeGreaterThan((side + 2 * r) ** 2 - (4 - Math.PI) * r * r - side);
    expect(grown).toBeLessThan((side + 2 * r) ** 2 - (4 - Math.PI) * r * r + side);
    const shrunk = sum(rasterise([square(20, 20, side)], 64, 64, -r));
    expect(shrunk).toBeCloseTo((side - 2 * r) ** 2, -1);
  });

  it('fills by the nonzero rule, so a hole wound the other way stays empty', () => {
    const outer = square(5, 5, 30);
    const hole = Float64Array.from([15, 15, 15, 25, 25, 25, 25, 15]);
    const cov = rasterise([outer, hole], 40, 40);
    expect(cov[20 * 40 + 20]).toBe(0);
    expect(sum(cov)).toBeCloseTo(900 - 100, 4);
  });

  it('clips outlines to the canvas', () => {
    const cov = rasterise([square(-10, -10, 20)], 16, 16);
    expect(sum(cov)).toBeCloseTo(100, 6);
  });
});
