import { chain, invert, perspective, rotate, slant, toHomography, translate } from './geometry';
import { mapContours } from './outline';

const apply = (m: number[], x: number, y: number): number[] =>
  Array.from(mapContours([Float64Array.from([x, y])], toHomography(m))[0]!);

describe('geometry', () => {
  it('maps the corners of the sheet to the requested corners in perspective', () => {
    const to = [3, -2, 105, 4, 98, 83, -4, 77];
    const m = perspective(100, 80, to);
    const corners = [0, 0, 100, 0, 100, 80, 0, 80];
    for (let k = 0; k < 4; k++) {
      const [x, y] = apply(m, corners[2 * k]!, corners[2 * k + 1]!);
      expect(x).toBeCloseTo(to[2 * k]!, 9);
      expect(y).toBeCloseTo(to[2 * k + 1]!, 9);
    }
  });

  it('undoes a chain of transforms with its inverse', () => {
    const m = chain(slant(12), rotate(-9), translate(40, 7), perspective(50, 50, [1, 2, 52, -1, 49, 53, -2, 48]));
    const [x, y] = apply(chain(m, invert(m)), 17, 31);
    expect(x).toBeCloseTo(17, 9);
    expect(y).toBeCloseTo(31, 9);
  });

  it('slants upright strokes to the right and rotates counter-clockwise on screen for positive angles', () => {
    const [topX] = apply(slant(10), 0, -10);
    expect(topX).toBeGreaterThan(0);
    const [x, y] = apply(rotate(90), 10, 0);
    expect(x).toBeCloseTo(0, 9);
    expect(y).toBeCloseTo(-10, 9);
  });
});
