import { moments, skewOf } from './canonical';
import { preprocessingFingerprint } from './fingerprint';
import { MNIST_SKEW } from './mnist-shape';
import { preprocess } from './preprocess';
import { canvas, encode, rect, sevenOnPaper } from './test-images';
import type { NormaliseSteps } from './types';

const GREY = { inputShape: [28, 28] };
const NO_STEPS: NormaliseSteps = {
  localPaper: false,
  isolate: false,
  tiltedRulings: false,
  deskew: false,
  stroke: false,
  antialias: false,
  oneFlag: false,
};
/**
 * Digest of the preprocessing before the normalisation steps of issue 13 (the fingerprint the calibration artifact
 * of that code recorded): with every step off, the preprocessing must still be exactly that one, so that the
 * ablation's `no-steps` variant measures what the service did before.
 */
const BEFORE_STEPS = 'sha256:c9f06be9c8efbc1abffe8fee85cd1fc848117ae5c34e5b5a50d459e4ad9a819f';

const plane = (t: Float32Array): { data: Float32Array; width: number; height: number } => ({
  data: t,
  width: 28,
  height: 28,
});

/** Dark ink on paper: a parallelogram stroke leaning by `lean` pixels per row (negative: top to the right). */
function slantedBar(size: number, lean: number): Uint8Array {
  const px = canvas(size, size, [240, 240, 235, 255]);
  const t = Math.round(size / 12);
  for (let y = Math.round(size * 0.2); y < Math.round(size * 0.8); y++) {
    const x = Math.round(size / 2 + lean * (y - size / 2));
    rect(px, size, { x: x - t, y, w: 2 * t, h: 1 }, [25, 25, 30, 255]);
  }
  return px;
}

function diff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - b[i]!);
  return d / a.length;
}

describe('normalisation steps', () => {
  it('with every step off, preprocess exactly as before the steps existed', async () => {
    await expect(preprocessingFingerprint([28, 28], NO_STEPS)).resolves.toBe(BEFORE_STEPS);
  });

  it('shears a slanted stroke to MNIST mean slant with deskew on, and leaves it slanted with it off', async () => {
    const png = await encode(slantedBar(200, -0.5), 200, 200, 'png');
    const on = await preprocess(png, GREY);
    const off = await preprocess(png, { ...GREY, steps: { deskew: false } });
    expect(skewOf(moments(plane(on.tensor)))).toBeCloseTo(MNIST_SKEW, 1);
    expect(skewOf(moments(plane(off.tensor)))).toBeLessThan(-0.35);
  });

  it('brings a marker-thick stroke back towards MNIST stroke width, and leaves it with stroke off', async () => {
    const px = canvas(200, 200, [240, 240, 235, 255]);
    rect(px, 200, { x: 50, y: 30, w: 100, h: 36 }, [20, 20, 25, 255]);
    rect(px, 200, { x: 114, y: 30, w: 36, h: 140 }, [20, 20, 25, 255]);
    const png = await encode(px, 200, 200, 'png');
    const mass = (t: Float32Array): number => t.reduce((a, v) => a + v, 0);
    const on = await preprocess(png, { ...GREY, steps: { stroke: true } });
    const off = await preprocess(png, { ...GREY, steps: { stroke: false } });
    expect(mass(on.tensor)).toBeLessThan(0.9 * mass(off.tensor));
  });

  it('removes rulings tilted as in a photo of lined paper', async () => {
    const plain = await preprocess(await encode(sevenOnPaper(300, 300), 300, 300, 'png'), GREY);
    const px = sevenOnPaper(300, 300);
    const tilt = Math.tan((4 * Math.PI) / 180);
    for (let y0 = 12; y0 < 330; y0 += 34) {
      for (let x = 0; x < 300; x++) {
        const y = Math.round(y0 - 20 + tilt * x);
        if (y >= 0 && y < 299) rect(px, 300, { x, y, w: 1, h: 2 }, [150, 180, 230, 255]);
      }
    }
    const png = await encode(px, 300, 300, 'png');
    const tilted = await preprocess(png, GREY);
    expect(tilted.facts.ruledLines).toBeGreaterThan(10);
    expect(diff(tilted.tensor, plain.tensor)).toBeLessThan(0.04);
    const axisOnly = await preprocess(png, { ...GREY, steps: { tiltedRulings: false } });
    expect(diff(axisOnly.tensor, plain.tensor)).toBeGreaterThan(diff(tilted.tensor, plain.tensor));
  });

  it('keeps a small digit on a large sheet and drops a shadow across a corner and specks far from it', async () => {
    const width = 600;
    const height = 450;
    const px = canvas(width, height, [235, 235, 230, 255]);
    // A shadow over the lower right, 30% darker, with a soft edge.
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const t = Math.min(1, Math.max(0, (x + y - 700) / 40));
        const o = (y * width + x) * 4;
        for (let c = 0; c < 3; c++) px[o + c] = Math.round(px[o + c]! * (1 - 0.3 * t));
      }
    }
    const digit = sevenOnPaper(60, 60);
    for (let y = 0; y < 60; y++) {
      for (let x = 0; x < 60; x++) {
        if (digit[(y * 60 + x) * 4]! < 100) rect(px, width, { x: 150 + x, y: 120 + y, w: 1, h: 1 }, [20, 20, 30, 255]);
      }
    }
    for (const [x, y] of [
      [40, 400],
      [520, 40],
    ]) {
      rect(px, width, { x: x!, y: y!, w: 4, h: 4 }, [30, 30, 30, 255]);
    }
    const r = await preprocess(await encode(px, width, height, 'png'), GREY);
    const alone = await preprocess(await encode(sevenOnPaper(60, 60), 60, 60, 'png'), GREY);
    expect(r.facts.inverted).toBe(true);
    expect(r.facts.bboxFill).toBeLessThan(0.02);
    expect(diff(r.tensor, alone.tensor)).toBeLessThan(0.05);
  });
});
