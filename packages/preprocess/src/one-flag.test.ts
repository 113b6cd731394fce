import { flaggedOne, smallLoopNine } from './fingerprint';
import { stripOneFlag } from './one-flag';
import { preprocessPixels } from './preprocess';
import { canvas, rect, sevenOnPaper } from './test-images';

const GREY = { inputShape: [28, 28] };

/** Ink (output grey above 0.3) in rows [y0, y1) left of column `x`. */
function inkLeftOf(t: Float32Array, x: number, y0: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let q = 0; q < x; q++) if (t[y * 28 + q]! > 0.3) n++;
  return n;
}

/** Dark-on-white open "4": a diagonal from the top to the crossbar, the crossbar, the stem on the right. */
function openFour(): Uint8Array {
  const px = canvas(80, 100, [245, 245, 245, 255]);
  for (let y = 10; y < 60; y++) rect(px, 80, { x: 45 - Math.round((y - 10) * 0.6), y, w: 6, h: 1 }, [20, 20, 20, 255]);
  rect(px, 80, { x: 12, y: 58, w: 58, h: 6 }, [20, 20, 20, 255]);
  rect(px, 80, { x: 48, y: 10, w: 6, h: 80 }, [20, 20, 20, 255]);
  return px;
}

const run = async (data: Uint8Array, width: number, height: number, oneFlag: boolean): Promise<Float32Array> =>
  (await preprocessPixels({ data, width, height, channels: 4 }, { ...GREY, steps: { oneFlag } })).tensor;

describe('oneFlag: the flag of a printed 1', () => {
  it('is erased, leaving a plain stroke centred like an MNIST 1', async () => {
    const { rgba, width, height } = flaggedOne();
    const off = await run(rgba, width, height, false);
    const on = await run(rgba, width, height, true);
    expect(inkLeftOf(off, 13, 0, 14)).toBeGreaterThan(3);
    expect(inkLeftOf(on, 13, 0, 14)).toBe(0);
    let m = 0;
    let sx = 0;
    on.forEach((v, i) => {
      m += v;
      sx += v * (i % 28);
    });
    expect(Math.abs(sx / m - 14)).toBeLessThan(0.6);
  });

  it('leaves a 7 (bar at the very top) and an open 4 (crossbar joining the stem) bit for bit alone', async () => {
    const seven = sevenOnPaper(60, 60);
    expect(await run(seven, 60, 60, true)).toEqual(await run(seven, 60, 60, false));
    const four = openFour();
    expect(await run(four, 80, 100, true)).toEqual(await run(four, 80, 100, false));
  });

  it('leaves a 9 with a loop too small for the other guards alone (no background enclosed above the stem)', async () => {
    const nine = smallLoopNine();
    expect(await run(nine, 60, 90, true)).toEqual(await run(nine, 60, 90, false));
  });

  it('returns a blank output as it is', () => {
    const blank = new Float32Array(784);
    expect(stripOneFlag(blank)).toBe(blank);
  });
});
