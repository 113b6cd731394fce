import type { Homography } from './outline';

/** A 3x3 matrix, row-major, acting on column vectors (x, y, 1). */
export type Mat3 = number[];

export const identity = (): Mat3 => [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** a · b (b applied first). */
export function mul(a: Mat3, b: Mat3): Mat3 {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a[r * 3 + k]! * b[k * 3 + c]!;
      out[r * 3 + c] = s;
    }
  }
  return out;
}

/** Composes transforms given in the order they are applied. */
export function chain(...steps: Mat3[]): Mat3 {
  return steps.reduce((acc, m) => mul(m, acc), identity());
}

export const translate = (x: number, y: number): Mat3 => [1, 0, x, 0, 1, y, 0, 0, 1];
export const scale = (sx: number, sy: number = sx): Mat3 => [sx, 0, 0, 0, sy, 0, 0, 0, 1];
/** Counter-clockwise on screen for positive degrees (y points down). */
export function rotate(deg: number): Mat3 {
  const t = (-deg * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  return [c, -s, 0, s, c, 0, 0, 0, 1];
}
/** Slants upright strokes to the right for positive degrees (the top moves right, as in italic writing). */
export const slant = (deg: number): Mat3 => [1, -Math.tan((deg * Math.PI) / 180), 0, 0, 1, 0, 0, 0, 1];

/** The matrix as the 8 coefficients of a {@link Homography} (normalised so the last entry is 1). */
export function toHomography(m: Mat3): Homography {
  const k = m[8]!;
  return [m[0]! / k, m[1]! / k, m[2]! / k, m[3]! / k, m[4]! / k, m[5]! / k, m[6]! / k, m[7]! / k];
}

export function fromHomography(h: Homography): Mat3 {
  return [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1];
}

/** Inverse by the adjugate; the maps used here are far from singular. */
export function invert(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
}

/**
 * The projective map taking the four corners of a `width` x `height` rectangle (clockwise from the top left) to
 * `to` (same order): how a flat sheet looks to a camera that is not square above it.
 */
export function perspective(width: number, height: number, to: readonly number[]): Mat3 {
  const from = [0, 0, width, 0, width, height, 0, height];
  // Eight equations in the eight unknowns a..h (DLT with the last entry fixed to 1).
  const A: number[][] = [];
  for (let k = 0; k < 4; k++) {
    const x = from[2 * k]!;
    const y = from[2 * k + 1]!;
    const u = to[2 * k]!;
    const v = to[2 * k + 1]!;
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    [A[c], A[p]] = [A[p]!, A[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / A[c]![c]!;
      for (let k = c; k < 9; k++) A[r]![k]! -= f * A[c]![k]!;
    }
  }
  const s = A.map((row, r) => row[8]! / row[r]!);
  return [s[0]!, s[1]!, s[2]!, s[3]!, s[4]!, s[5]!, s[6]!, s[7]!, 1];
}
