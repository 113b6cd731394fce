import { loadFont } from './fonts';
import { chain, invert, rotate, scale, slant, toHomography, translate, type Mat3 } from './geometry';
import type { Plan, Pose } from './looks';
import { between, valueNoise, type Rand } from './noise';
import { boundsOf, glyphShape, mapContours, type Contour, type Shape } from './outline';
import { rasterise } from './raster';

/** Far-OOD content: things that are not characters at all. */
export const FAR_CONTENTS = ['blank-page', 'fashion', 'shapes', 'texture', 'noise', 'scene'] as const;
export type FarContent = (typeof FAR_CONTENTS)[number];

/** What an item shows. */
export type Content =
  | { type: 'glyph'; font: string; char: string }
  | { type: 'arrow'; font: string; angle: number; double: boolean }
  | { type: 'far'; what: FarContent; fashion?: Uint8Array };

/** A drawn content: ink coverage to put on the medium, or a full-colour picture that replaces it. */
export type Drawn = { type: 'coverage'; coverage: Float32Array } | { type: 'picture'; rgb: Float32Array[] };

/** Net area (nonzero winding outlines: holes run the other way) and perimeter of outlines. */
function areaAndPerimeter(contours: Contour[]): { area: number; perimeter: number } {
  let area = 0;
  let perimeter = 0;
  for (const c of contours) {
    const n = c.length / 2;
    let a = 0;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      a += c[2 * i]! * c[2 * j + 1]! - c[2 * j]! * c[2 * i + 1]!;
      perimeter += Math.hypot(c[2 * j]! - c[2 * i]!, c[2 * j + 1]! - c[2 * i + 1]!);
    }
    area += a / 2;
  }
  return { area: Math.abs(area), perimeter };
}

/** Share of the canvas kept clear at each edge: a digit cut by the frame is a different benchmark. */
const EDGE = 0.04;

/**
 * Maps a shape's box centre to the pose's centre, scaled so its height (or width, if wider) is `pose.size`, then
 * moved (if need be) so that the slanted, rotated shape stays inside the canvas.
 */
function poseMatrix(shape: Shape, pose: Pose, page: Mat3, width: number, height: number): { m: Mat3; k: number } {
  const h = shape.y1 - shape.y0;
  const w = shape.x1 - shape.x0;
  const k = pose.size / Math.max(h, w * 0.8, 1e-9);
  const flat = chain(
    translate(-(shape.x0 + shape.x1) / 2, -(shape.y0 + shape.y1) / 2),
    scale(k * pose.squeeze, k),
    slant(pose.slant),
    rotate(pose.rotation),
    translate(pose.cx, pose.cy),
  );
  const corners = Float64Array.from([shape.x0, shape.y0, shape.x1, shape.y0, shape.x1, shape.y1, shape.x0, shape.y1]);
  const box = boundsOf(mapContours([corners], toHomography(flat)));
  const shift = (lo: number, hi: number, side: number): number => {
    const room = EDGE * side;
    if (hi - lo > side - 2 * room) return side / 2 - (lo + hi) / 2;
    return lo < room ? room - lo : hi > side - room ? side - room - hi : 0;
  };
  const m = chain(flat, translate(shift(box.x0, box.x1, width), shift(box.y0, box.y1, height)), page);
  return { m, k };
}

/** Thinnest stroke drawn, pixels: a pen line in a photo is never finer than this. */
const MIN_STROKE = 1.6;

/** Outline offset (pixels) bringing the shape's stroke width to what the pose asks for, within sane bounds. */
function strokeOffset(shape: Shape, pose: Pose, k: number): number {
  const { area, perimeter } = areaAndPerimeter(shape.contours);
  const natural = perimeter > 0 ? ((2 * area) / perimeter) * k : 0;
  const asked = pose.strokeWidth !== null ? pose.strokeWidth * pose.size : natural * pose.strokeScale;
  const offset = (Math.max(asked, MIN_STROKE) - natural) / 2;
  // Thinning eats the hairlines of high-contrast faces first (broken strokes no pen makes): at most a quarter of
  // the average width goes.
  return Math.max(-0.12 * natural, Math.min(offset, 0.15 * pose.size));
}

/** An arrow pointing right in a unit box: shaft plus one or two heads, both as filled outlines. */
function arrowShape(rand: Rand, double: boolean): Shape {
  const t = between(rand, 0.04, 0.07);
  const head = between(rand, 0.25, 0.35);
  const spread = between(rand, 0.18, 0.3);
  const x0 = double ? -0.5 + head * 0.8 : -0.5;
  const shaft = Float64Array.from([x0, -t, 0.5 - head * 0.8, -t, 0.5 - head * 0.8, t, x0, t]);
  const right = Float64Array.from([0.5 - head, -spread, 0.5, 0, 0.5 - head, spread]);
  const contours = [shaft, right];
  if (double) contours.push(Float64Array.from([-0.5 + head, spread, -0.5, 0, -0.5 + head, -spread]));
  // Orient every contour the same way so nonzero winding unites them.
  const oriented = contours.map((c) => {
    let a = 0;
    for (let i = 0; i < c.length; i += 2) {
      const j = (i + 2) % c.length;
      a += c[i]! * c[j + 1]! - c[j]! * c[i + 1]!;
    }
    if (a >= 0) return c;
    const r = new Float64Array(c.length);
    for (let i = 0; i < c.length; i += 2) {
      r[i] = c[c.length - 2 - i]!;
      r[i + 1] = c[c.length - 1 - i]!;
    }
    return r;
  });
  return boundsOf(oriented);
}

/** Samples a 28x28 grey image (0..255) placed by `m` (image pixel centres to canvas) as coverage. */
function rasterImage(img: Uint8Array, m: Mat3, width: number, height: number): Float32Array {
  const inv = invert(m);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const w = inv[6]! * px + inv[7]! * py + inv[8]!;
      const u = (inv[0]! * px + inv[1]! * py + inv[2]!) / w - 0.5;
      const v = (inv[3]! * px + inv[4]! * py + inv[5]!) / w - 0.5;
      if (u < -1 || v < -1 || u > 28 || v > 28) continue;
      const iu = Math.floor(u);
      const iv = Math.floor(v);
      const fu = u - iu;
      const fv = v - iv;
      const at = (a: number, b: number): number => (a < 0 || b < 0 || a > 27 || b > 27 ? 0 : img[b * 28 + a]!);
      const top = at(iu, iv) * (1 - fu) + at(iu + 1, iv) * fu;
      const bottom = at(iu, iv + 1) * (1 - fu) + at(iu + 1, iv + 1) * fu;
      out[y * width + x] = (top * (1 - fv) + bottom * fv) / 255;
    }
  }
  return out;
}

/** Two to four filled shapes (boxes, triangles, discs, stars) spread over the sheet. */
function shapesCoverage(rand: Rand, plan: Plan, page: Mat3): Float32Array {
  const { width, height } = plan;
  const contours: Contour[] = [];
  const count = 2 + Math.floor(rand() * 3);
  for (let s = 0; s < count; s++) {
    const r = Math.min(width, height) * between(rand, 0.08, 0.22);
    const cx = between(rand, r, width - r);
    const cy = between(rand, r, height - r);
    const kind = Math.floor(rand() * 4);
    const n = kind === 0 ? 4 : kind === 1 ? 3 : kind === 2 ? 32 : 10;
    const phase = rand() * Math.PI;
    const pts: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = phase + (2 * Math.PI * i) / n;
      const rr = kind === 3 && i % 2 === 1 ? r * 0.45 : r;
      pts.push(cx + rr * Math.cos(a), cy + rr * Math.sin(a) * (kind === 2 ? between(rand, 0.98, 1.02) : 1));
    }
    contours.push(Float64Array.from(pts));
  }
  return rasterise(mapContours(contours, toHomography(page)), width, height, 0);
}

/** A full-colour procedural picture: wood, fabric, brick or stripes, colour noise, or a landscape. */
function picture(rand: Rand, what: 'texture' | 'noise' | 'scene', width: number, height: number): Float32Array[] {
  const n = width * height;
  const rgb = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  const base = [between(rand, 40, 220), between(rand, 40, 220), between(rand, 40, 220)];
  const field = valueNoise(rand, width, height, Math.max(4, Math.min(width, height) * between(rand, 0.05, 0.3)));
  if (what === 'noise') {
    const fine = valueNoise(rand, width, height, between(rand, 1, 4));
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) rgb[c]![i] = base[c]! + (fine[i]! - 0.5) * 300 * (0.3 + field[i]!);
    }
    return rgb;
  }
  if (what === 'texture') {
    const pattern = Math.floor(rand() * 4);
    const period = Math.max(4, Math.min(width, height) * between(rand, 0.03, 0.12));
    const angle = rand() * Math.PI;
    const ca = Math.cos(angle);
    const sa = Math.sin(angle);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const u = (x * ca + y * sa) / period;
        const v = (-x * sa + y * ca) / period;
        let t: number;
        if (pattern === 0)
          t = 0.5 + 0.5 * Math.sin(2 * Math.PI * (u + 3 * field[i]!)); // wood grain
        else if (pattern === 1)
          t = 0.5 + 0.25 * (Math.sin(2 * Math.PI * u) + Math.sin(2 * Math.PI * v)); // weave
        else if (pattern === 2) {
          const row = Math.floor(v);
          const inBrickX = (u + (row % 2) * 0.5) % 1;
          t = v - row < 0.12 || inBrickX < 0.06 ? 0.15 : 0.8; // brick and mortar
        } else t = Math.floor(u) % 2 === 0 ? 0.85 : 0.25; // stripes
        const shade = 0.75 + 0.5 * field[i]!;
        for (let c = 0; c < 3; c++) rgb[c]![i] = base[c]! * (0.4 + 0.9 * t) * shade;
      }
    }
    return rgb;
  }
  // A landscape: sky gradient, a sun, hills along a wavy horizon, grass texture, a few dark tree crowns.
  const sky = [between(rand, 90, 170), between(rand, 150, 210), between(rand, 200, 255)];
  const ground = [between(rand, 40, 110), between(rand, 90, 160), between(rand, 30, 80)];
  const horizon = height * between(rand, 0.35, 0.7);
  const waves = [0, 1, 2].map(() => ({ f: between(rand, 0.5, 4), a: height * between(rand, 0, 0.08), p: rand() * 6 }));
  const sun = { x: rand() * width, y: rand() * horizon * 0.7, r: Math.min(width, height) * between(rand, 0.04, 0.1) };
  const trees = Array.from({ length: Math.floor(rand() * 5) }, () => ({
    x: rand() * width,
    r: Math.min(width, height) * between(rand, 0.04, 0.1),
  }));
  const grass = valueNoise(rand, 64, 64, 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let line = horizon;
      for (const w of waves) line += w.a * Math.sin((2 * Math.PI * w.f * x) / width + w.p);
      let col: number[];
      if (y < line) {
        const t = y / Math.max(1, line);
        col = sky.map((s) => s + t * 40 + (field[i]! - 0.5) * 30);
        if ((x - sun.x) ** 2 + (y - sun.y) ** 2 < sun.r ** 2) col = [255, 240, 190];
      } else {
        col = ground.map((g, c) => g * (0.7 + 0.6 * field[i]!) + (grass[(i * 3 + c) % grass.length]! - 0.5) * 12);
      }
      for (const tr of trees) {
        const dy = y - (line - tr.r * 0.8);
        if ((x - tr.x) ** 2 + dy ** 2 < tr.r ** 2) col = [25, 60 + 40 * field[i]!, 30];
      }
      for (let c = 0; c < 3; c++) rgb[c]![i] = col[c]!;
    }
  }
  return rgb;
}

/** Draws the content of an item under its plan; `page` maps the flat sheet to the image (perspective). */
export function drawContent(content: Content, plan: Plan, page: Mat3, rand: Rand): Drawn {
  const { width, height, pose } = plan;
  if (content.type === 'glyph' || content.type === 'arrow') {
    let shape: Shape;
    if (content.type === 'glyph') {
      const found = glyphShape(loadFont(content.font), content.char);
      if (!found) throw new Error(`font ${content.font} has no glyph for ${JSON.stringify(content.char)}`);
      shape = found;
    } else {
      const unit = arrowShape(rand, content.double);
      const turned = mapContours(unit.contours, toHomography(rotate(content.angle)));
      shape = boundsOf(turned);
    }
    const { m, k } = poseMatrix(shape, pose, page, width, height);
    const offset = strokeOffset(shape, pose, k);
    return {
      type: 'coverage',
      coverage: rasterise(mapContours(shape.contours, toHomography(m)), width, height, offset),
    };
  }
  switch (content.what) {
    case 'blank-page':
      return { type: 'coverage', coverage: new Float32Array(width * height) };
    case 'fashion': {
      const box: Shape = { contours: [], x0: 0, y0: 0, x1: 28, y1: 28 };
      const { m } = poseMatrix(box, { ...pose, size: pose.size * 1.3 }, page, width, height);
      return { type: 'coverage', coverage: rasterImage(content.fashion!, m, width, height) };
    }
    case 'shapes':
      return { type: 'coverage', coverage: shapesCoverage(rand, plan, page) };
    default:
      return { type: 'picture', rgb: picture(rand, content.what, width, height) };
  }
}
