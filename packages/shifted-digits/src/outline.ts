import type { Font, PathCommand } from 'opentype.js';

/** A closed polygon as flat x,y pairs. */
export type Contour = Float64Array;

/** Filled outlines (nonzero winding) in a coordinate system with y pointing down, and their bounding box. */
export interface Shape {
  contours: Contour[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Line segments per Bézier curve: the curves of a glyph at a few hundred pixels stay smooth to the eye. */
const CURVE_STEPS = 10;

/** Bounding box of contours. */
export function boundsOf(contours: Contour[]): Shape {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const c of contours) {
    for (let i = 0; i < c.length; i += 2) {
      const x = c[i]!;
      const y = c[i + 1]!;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return { contours, x0, y0, x1, y1 };
}

/** Flattens path commands (font units, y up) into polygons with y down. */
export function flattenPath(commands: PathCommand[]): Contour[] {
  const contours: Contour[] = [];
  let pts: number[] = [];
  let cx = 0;
  let cy = 0;
  const close = (): void => {
    if (pts.length >= 6) contours.push(Float64Array.from(pts));
    pts = [];
  };
  for (const cmd of commands) {
    switch (cmd.type) {
      case 'M':
        close();
        pts.push(cmd.x, -cmd.y);
        [cx, cy] = [cmd.x, cmd.y];
        break;
      case 'L':
        pts.push(cmd.x, -cmd.y);
        [cx, cy] = [cmd.x, cmd.y];
        break;
      case 'Q':
        for (let s = 1; s <= CURVE_STEPS; s++) {
          const t = s / CURVE_STEPS;
          const u = 1 - t;
          pts.push(u * u * cx + 2 * u * t * cmd.x1 + t * t * cmd.x, -(u * u * cy + 2 * u * t * cmd.y1 + t * t * cmd.y));
        }
        [cx, cy] = [cmd.x, cmd.y];
        break;
      case 'C':
        for (let s = 1; s <= CURVE_STEPS; s++) {
          const t = s / CURVE_STEPS;
          const u = 1 - t;
          const a = u * u * u;
          const b = 3 * u * u * t;
          const c = 3 * u * t * t;
          const d = t * t * t;
          pts.push(a * cx + b * cmd.x1 + c * cmd.x2 + d * cmd.x, -(a * cy + b * cmd.y1 + c * cmd.y2 + d * cmd.y));
        }
        [cx, cy] = [cmd.x, cmd.y];
        break;
      case 'Z':
        close();
        break;
    }
  }
  close();
  return contours;
}

/** The outline of one character of a font, or null when the font has no glyph for it (or an empty one). */
export function glyphShape(font: Font, char: string): Shape | null {
  const glyph = font.charToGlyph(char);
  if (!glyph || glyph.index === 0) return null;
  const contours = flattenPath(glyph.path.commands);
  if (contours.length === 0) return null;
  return boundsOf(contours);
}

/** A 2-D projective map: x' = (a x + b y + c) / (g x + h y + 1), y' = (d x + e y + f) / (g x + h y + 1). */
export type Homography = readonly [number, number, number, number, number, number, number, number];

/** Applies a projective map to every vertex. */
export function mapContours(contours: Contour[], m: Homography): Contour[] {
  const [a, b, c, d, e, f, g, h] = m;
  return contours.map((src) => {
    const out = new Float64Array(src.length);
    for (let i = 0; i < src.length; i += 2) {
      const x = src[i]!;
      const y = src[i + 1]!;
      const w = g * x + h * y + 1;
      out[i] = (a * x + b * y + c) / w;
      out[i + 1] = (d * x + e * y + f) / w;
    }
    return out;
  });
}
