import { offsetMask, skeletonise, squaredDistance, strokeWidthOf } from './morphology';

function bar(width: number, height: number, x0: number, y0: number, w: number, h: number): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) m[y * width + x] = 1;
  return m;
}

describe('squaredDistance', () => {
  it('equals the brute-force squared distance to the nearest feature pixel', () => {
    const width = 19;
    const height = 13;
    let s = 7;
    const mask = Uint8Array.from({ length: width * height }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s >>> 16) % 9 === 0 ? 1 : 0;
    });
    const d = squaredDistance(mask, width, height, 1);
    for (let i = 0; i < mask.length; i++) {
      let best = Infinity;
      for (let j = 0; j < mask.length; j++) {
        if (!mask[j]) continue;
        const dx = (i % width) - (j % width);
        const dy = Math.floor(i / width) - Math.floor(j / width);
        best = Math.min(best, dx * dx + dy * dy);
      }
      expect(d[i]).toBe(best);
    }
  });
});

describe('offsetMask', () => {
  it('widens a bar by twice the radius and narrows it back', () => {
    const m = bar(40, 40, 18, 5, 4, 30);
    const grown = offsetMask(m, 40, 40, 3);
    const row = (mask: Uint8Array): number => mask.slice(20 * 40, 21 * 40).reduce((a, v) => a + v, 0);
    expect(row(grown)).toBe(10);
    expect(row(offsetMask(grown, 40, 40, -3))).toBe(4);
  });
});

describe('skeletonise and strokeWidthOf', () => {
  it('thins a bar to a one-pixel line of about its length', () => {
    const m = bar(60, 30, 10, 10, 40, 7);
    const n = skeletonise(m, 60, 30);
    expect(n).toBeGreaterThan(30);
    expect(n).toBeLessThanOrEqual(42);
    for (let x = 15; x < 45; x++)
      expect(
        m
          .slice(x)
          .filter((_, k) => k % 60 === 0)
          .reduce((a, v) => a + v, 0),
      ).toBe(1);
  });

  it.each([3, 6, 10])('measures a stroke %i px wide as about that wide', (w) => {
    const m = bar(120, 40, 10, 10, 100, w);
    expect(strokeWidthOf(m, 120, 40)).toBeGreaterThan(w * 0.85);
    expect(strokeWidthOf(m, 120, 40)).toBeLessThan(w * 1.15);
  });
});
