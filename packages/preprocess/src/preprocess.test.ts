import { AppError } from '@mserve/common';
import { preprocess, preprocessPixels } from './preprocess';
import { canvas, encode, rect, ringOnPaper, sevenOnPaper } from './test-images';
import type { PreprocessResult } from './types';

const GREY = { inputShape: [28, 28] };

function centreOfMass(t: Float32Array): { x: number; y: number; mass: number } {
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < 784; i++) {
    m += t[i]!;
    sx += t[i]! * (i % 28);
    sy += t[i]! * Math.floor(i / 28);
  }
  return { x: sx / m, y: sy / m, mass: m };
}

function inkBox(t: Float32Array, level = 0.3): { w: number; h: number } {
  let x0 = 28;
  let x1 = -1;
  let y0 = 28;
  let y1 = -1;
  for (let i = 0; i < 784; i++) {
    if (t[i]! <= level) continue;
    const x = i % 28;
    const y = Math.floor(i / 28);
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  return { w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

function expectValid(r: PreprocessResult, length = 784): void {
  expect(r.tensor).toHaveLength(length);
  expect(r.tensor.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
}

describe('preprocess (mnist mode)', () => {
  it('inverts dark ink on light paper, scales the ink box to 20 px and centres its mass at (14,14)', async () => {
    const png = await encode(ringOnPaper(300, 200, 40, 20), 300, 200, 'png');
    const r = await preprocess(png, GREY);
    expectValid(r);
    expect(r.facts).toMatchObject({
      format: 'png',
      width: 300,
      height: 200,
      polarity: 'dark-on-light',
      inverted: true,
    });
    const com = centreOfMass(r.tensor);
    expect(Math.abs(com.x - 14)).toBeLessThan(0.25);
    expect(Math.abs(com.y - 14)).toBeLessThan(0.25);
    const box = inkBox(r.tensor);
    expect(Math.max(box.w, box.h)).toBeGreaterThanOrEqual(19);
    expect(Math.max(box.w, box.h)).toBeLessThanOrEqual(21);
    expect(Math.max(...r.tensor)).toBe(1);
    // Paper is black after inversion.
    expect(r.tensor[0]).toBe(0);
  });

  it('gives the same input whatever the scale and position of the digit on the page', async () => {
    const small = await preprocess(await encode(sevenOnPaper(120, 120), 120, 120, 'png'), GREY);
    const large = await preprocess(await encode(sevenOnPaper(480, 480, -60, 70), 480, 480, 'png'), GREY);
    let diff = 0;
    for (let i = 0; i < 784; i++) diff += Math.abs(small.tensor[i]! - large.tensor[i]!);
    // Deskewing shears the box-shaped strokes and the bilevel step snaps their edges at the canonical scale, so
    // the two sizes differ by a little more than plain resampling made them (0.03 before those steps).
    expect(diff / 784).toBeLessThan(0.045);
  });

  it('keeps light ink on a dark background as it is', async () => {
    const px = canvas(64, 64, [0, 0, 0, 255]);
    rect(px, 64, { x: 28, y: 10, w: 6, h: 44 }, [255, 255, 255, 255]);
    const r = await preprocess(await encode(px, 64, 64, 'png'), GREY);
    expect(r.facts.polarity).toBe('light-on-dark');
    expect(r.facts.inverted).toBe(false);
    const box = inkBox(r.tensor);
    expect(box.h).toBeGreaterThanOrEqual(19);
    expect(box.w).toBeLessThan(6);
  });

  it('flattens dark strokes drawn on a transparent canvas onto white, so they become ink', async () => {
    const px = canvas(100, 100, [0, 0, 0, 0]);
    rect(px, 100, { x: 45, y: 20, w: 10, h: 60 }, [0, 0, 0, 255]);
    const r = await preprocess(await encode(px, 100, 100, 'png'), GREY);
    expect(r.facts.transparency).toBe(1);
    expect(r.facts.inverted).toBe(true);
    expect(r.facts.inkFraction).toBeGreaterThan(0.05);
    expect(inkBox(r.tensor).h).toBeGreaterThanOrEqual(19);
  });

  it('drops small specks of dirt so they neither stretch the box nor pull the centre', async () => {
    const clean = sevenOnPaper(200, 200);
    const dirty = sevenOnPaper(200, 200);
    rect(dirty, 200, { x: 5, y: 190, w: 2, h: 2 }, [0, 0, 0, 255]);
    const a = await preprocess(await encode(clean, 200, 200, 'png'), GREY);
    const b = await preprocess(await encode(dirty, 200, 200, 'png'), GREY);
    expect(b.facts.droppedInk).toBeGreaterThan(0);
    let diff = 0;
    for (let i = 0; i < 784; i++) diff += Math.abs(a.tensor[i]! - b.tensor[i]!);
    expect(diff / 784).toBeLessThan(0.01);
  });

  it('follows uneven lighting: a sheet fading from white to dark grey does not turn into ink', async () => {
    const even = ringOnPaper(300, 240);
    const shaded = ringOnPaper(300, 240);
    for (let y = 0; y < 240; y++) {
      for (let x = 0; x < 300; x++) {
        const i = (y * 300 + x) * 4;
        // Light fall-off from 250 on the left to 110 on the right, applied to paper and ink alike.
        const gain = (250 - (140 * x) / 299) / 245;
        for (let c = 0; c < 3; c++) shaded[i + c] = Math.round(shaded[i + c]! * gain);
      }
    }
    const a = await preprocess(await encode(even, 300, 240, 'png'), GREY);
    const b = await preprocess(await encode(shaded, 300, 240, 'png'), GREY);
    expect(b.facts.inverted).toBe(true);
    expect(b.facts.bboxFill).toBeCloseTo(a.facts.bboxFill, 2);
    let diff = 0;
    for (let i = 0; i < 784; i++) diff += Math.abs(a.tensor[i]! - b.tensor[i]!);
    expect(diff / 784).toBeLessThan(0.03);
  });

  it('thickens hairline strokes towards the stroke width of MNIST digits', async () => {
    const mass = (t: Float32Array): number => t.reduce((a, v) => a + v, 0);
    const normal = await preprocess(await encode(ringOnPaper(400, 400, 0, 0, 20), 400, 400, 'png'), GREY);
    const hairline = await preprocess(await encode(ringOnPaper(400, 400, 0, 0, 2), 400, 400, 'png'), GREY);
    expect(hairline.facts.strokeWidth).toBeLessThan(0.02);
    expect(normal.facts.strokeWidth).toBeGreaterThan(0.08);
    // A 2-px line scaled by 1/10 would be a faint trace; thickened it carries most of a normal stroke's ink.
    expect(mass(hairline.tensor)).toBeGreaterThan(0.7 * mass(normal.tensor));
  });

  it('removes the rulings of lined and squared paper, also where the digit crosses them', async () => {
    const plain = await preprocess(await encode(sevenOnPaper(300, 300), 300, 300, 'png'), GREY);
    for (const grid of [false, true]) {
      const px = sevenOnPaper(300, 300);
      for (let y = 15; y < 300; y += 30) rect(px, 300, { x: 0, y, w: 300, h: 2 }, [140, 160, 200, 255]);
      if (grid) for (let x = 10; x < 300; x += 30) rect(px, 300, { x, y: 0, w: 2, h: 300 }, [140, 160, 200, 255]);
      const r = await preprocess(await encode(px, 300, 300, 'png'), GREY);
      expect(r.facts.ruledLines).toBeGreaterThanOrEqual(grid ? 40 : 20);
      expect(r.facts.bboxFill).toBeCloseTo(plain.facts.bboxFill, 1);
      let diff = 0;
      for (let i = 0; i < 784; i++) diff += Math.abs(plain.tensor[i]! - r.tensor[i]!);
      expect(diff / 784).toBeLessThan(0.04);
    }
    expect(plain.facts.ruledLines).toBe(0);
  });

  it('returns an empty input with no ink for a blank page instead of failing', async () => {
    const r = await preprocess(await encode(canvas(50, 40, [250, 250, 250, 255]), 50, 40, 'jpeg'), GREY);
    expectValid(r);
    expect(r.facts.inkFraction).toBe(0);
    expect(Math.max(...r.tensor)).toBe(0);
  });

  it('replicates grey into three channels for an RGB model and honours a [28,28,1] shape', async () => {
    const png = await encode(sevenOnPaper(90, 90), 90, 90, 'png');
    const rgb = await preprocess(png, { inputShape: [28, 28, 3] });
    const grey = await preprocess(png, { inputShape: [28, 28, 1] });
    expect(rgb.shape).toEqual([28, 28, 3]);
    expectValid(rgb, 784 * 3);
    const replicated = grey.tensor.every((v, i) => [0, 1, 2].every((c) => rgb.tensor[i * 3 + c] === v));
    expect(replicated).toBe(true);
  });

  it('refuses an input shape it cannot produce with a 400', async () => {
    const png = await encode(sevenOnPaper(30, 30), 30, 30, 'png');
    await expect(preprocess(png, { inputShape: [32, 32] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('reports colourfulness near 0 for grey pictures and high for saturated ones', async () => {
    const grey = await preprocess(await encode(sevenOnPaper(60, 60), 60, 60, 'png'), GREY);
    const px = canvas(60, 60, [250, 20, 20, 255]);
    rect(px, 60, { x: 0, y: 0, w: 30, h: 60 }, [20, 250, 20, 255]);
    const colour = await preprocess(await encode(px, 60, 60, 'png'), GREY);
    expect(grey.facts.colourfulness).toBeLessThan(5);
    expect(colour.facts.colourfulness).toBeGreaterThan(100);
  });

  it('reports a much higher edge density for noise than for a digit on paper', async () => {
    const digit = await preprocess(await encode(sevenOnPaper(128, 128), 128, 128, 'png'), GREY);
    const px = new Uint8Array(128 * 128 * 4);
    for (let i = 0; i < px.length; i++) px[i] = i % 4 === 3 ? 255 : (i * 2654435761) % 251;
    const noisy = await preprocess(await encode(px, 128, 128, 'png'), GREY);
    expect(noisy.facts.edgeDensity).toBeGreaterThan(5 * digit.facts.edgeDensity);
  });
});

describe('preprocess (naive mode)', () => {
  it('is a plain resize: no inversion, paper stays bright', async () => {
    const png = await encode(sevenOnPaper(100, 100), 100, 100, 'png');
    const r = await preprocess(png, { ...GREY, mode: 'naive' });
    expectValid(r);
    expect(r.tensor[0]).toBeGreaterThan(0.9);
  });
});

describe('preprocessPixels', () => {
  it('normalises decoded pixels exactly as the same picture uploaded as PNG', async () => {
    const px = sevenOnPaper(80, 60);
    const fromPixels = await preprocessPixels({ data: px, width: 80, height: 60, channels: 4 }, GREY);
    const fromUpload = await preprocess(await encode(px, 80, 60, 'png'), GREY);
    expect(Array.from(fromPixels.tensor)).toEqual(Array.from(fromUpload.tensor));
    expect(fromPixels.facts.format).toBe('raw');
  });

  it('accepts one-channel digits and large images (downscaled first)', async () => {
    const digit = new Uint8Array(28 * 28);
    for (let y = 6; y < 22; y++) digit[y * 28 + 14] = 255;
    const r = await preprocessPixels({ data: digit, width: 28, height: 28, channels: 1 }, GREY);
    expect(inkBox(r.tensor).h).toBeGreaterThanOrEqual(19);
    const big = sevenOnPaper(1500, 900);
    const rb = await preprocessPixels({ data: big, width: 1500, height: 900, channels: 4 }, GREY);
    expect(rb.facts.inverted).toBe(true);
    expectValid(rb);
  });

  it('rejects a buffer that does not match the declared size', async () => {
    const err = await preprocessPixels({ data: new Uint8Array(10), width: 28, height: 28, channels: 1 }, GREY).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
  });
});
