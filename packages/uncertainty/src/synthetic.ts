/**
 * Synthetic non-digits: the negatives that teach the reliability model what "not a digit" looks like without
 * touching Fashion-MNIST (kept for evaluation only). Each generator draws raw 8-bit pixels that then go through
 * the same preprocessing as uploads.
 */
import { Rng } from './prng';
import type { ImageSetLike, RawPixelsLike } from './types';

type Pt = [number, number];

/** Letters as polylines in a unit box (y down), chosen to look unlike any digit. */
const LETTERS: Record<string, Pt[][]> = {
  A: [
    [
      [0.1, 1],
      [0.5, 0],
      [0.9, 1],
    ],
    [
      [0.28, 0.6],
      [0.72, 0.6],
    ],
  ],
  E: [
    [
      [0.85, 0],
      [0.15, 0],
      [0.15, 1],
      [0.85, 1],
    ],
    [
      [0.15, 0.5],
      [0.7, 0.5],
    ],
  ],
  F: [
    [
      [0.85, 0],
      [0.15, 0],
      [0.15, 1],
    ],
    [
      [0.15, 0.5],
      [0.7, 0.5],
    ],
  ],
  H: [
    [
      [0.15, 0],
      [0.15, 1],
    ],
    [
      [0.85, 0],
      [0.85, 1],
    ],
    [
      [0.15, 0.5],
      [0.85, 0.5],
    ],
  ],
  K: [
    [
      [0.15, 0],
      [0.15, 1],
    ],
    [
      [0.85, 0],
      [0.15, 0.55],
    ],
    [
      [0.4, 0.4],
      [0.85, 1],
    ],
  ],
  M: [
    [
      [0.1, 1],
      [0.1, 0],
      [0.5, 0.6],
      [0.9, 0],
      [0.9, 1],
    ],
  ],
  N: [
    [
      [0.15, 1],
      [0.15, 0],
      [0.85, 1],
      [0.85, 0],
    ],
  ],
  R: [
    [
      [0.15, 1],
      [0.15, 0],
      [0.7, 0],
      [0.85, 0.15],
      [0.85, 0.35],
      [0.7, 0.5],
      [0.15, 0.5],
    ],
    [
      [0.45, 0.5],
      [0.85, 1],
    ],
  ],
  W: [
    [
      [0, 0],
      [0.25, 1],
      [0.5, 0.35],
      [0.75, 1],
      [1, 0],
    ],
  ],
  X: [
    [
      [0.1, 0],
      [0.9, 1],
    ],
    [
      [0.9, 0],
      [0.1, 1],
    ],
  ],
  Y: [
    [
      [0.1, 0],
      [0.5, 0.5],
      [0.9, 0],
    ],
    [
      [0.5, 0.5],
      [0.5, 1],
    ],
  ],
  P: [
    [
      [0.15, 1],
      [0.15, 0],
      [0.7, 0],
      [0.85, 0.15],
      [0.85, 0.35],
      [0.7, 0.5],
      [0.15, 0.5],
    ],
  ],
  B: [
    [
      [0.15, 0],
      [0.15, 1],
      [0.7, 1],
      [0.85, 0.85],
      [0.85, 0.65],
      [0.7, 0.5],
      [0.15, 0.5],
    ],
    [
      [0.15, 0],
      [0.65, 0],
      [0.8, 0.12],
      [0.8, 0.38],
      [0.65, 0.5],
    ],
  ],
  G: [
    [
      [0.85, 0.15],
      [0.65, 0],
      [0.3, 0],
      [0.1, 0.25],
      [0.1, 0.75],
      [0.3, 1],
      [0.7, 1],
      [0.9, 0.8],
      [0.9, 0.55],
      [0.55, 0.55],
    ],
  ],
  Q: [
    [
      [0.3, 0],
      [0.1, 0.3],
      [0.1, 0.7],
      [0.3, 1],
      [0.7, 1],
      [0.9, 0.7],
      [0.9, 0.3],
      [0.7, 0],
      [0.3, 0],
    ],
    [
      [0.6, 0.7],
      [1, 1.1],
    ],
  ],
  '#': [
    [
      [0.35, 0],
      [0.25, 1],
    ],
    [
      [0.75, 0],
      [0.65, 1],
    ],
    [
      [0.05, 0.33],
      [0.95, 0.33],
    ],
    [
      [0.05, 0.67],
      [0.95, 0.67],
    ],
  ],
  '+': [
    [
      [0.5, 0.05],
      [0.5, 0.95],
    ],
    [
      [0.05, 0.5],
      [0.95, 0.5],
    ],
  ],
  '*': [
    [
      [0.5, 0],
      [0.5, 1],
    ],
    [
      [0.07, 0.25],
      [0.93, 0.75],
    ],
    [
      [0.93, 0.25],
      [0.07, 0.75],
    ],
  ],
};

/** The generator kinds, in the order they are cycled. */
export const SYNTHETIC_KINDS = [
  'noise',
  'photo-like',
  'gradient',
  'strokes',
  'shapes',
  'letters',
  'texture',
  'blob',
  'two-digits',
] as const;
export type SyntheticKind = (typeof SYNTHETIC_KINDS)[number];

class Canvas {
  readonly ink: Float32Array;
  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.ink = new Float32Array(w * h);
  }

  /** Anti-aliased thick segment. */
  segment(a: Pt, b: Pt, width: number): void {
    const [ax, ay] = a;
    const [bx, by] = b;
    const r = width / 2;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1));
    const x1 = Math.min(this.w - 1, Math.ceil(Math.max(ax, bx) + r + 1));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r - 1));
    const y1 = Math.min(this.h - 1, Math.ceil(Math.max(ay, by) + r + 1));
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy || 1e-9;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
        const d = Math.hypot(x - ax - t * dx, y - ay - t * dy);
        const v = Math.max(0, Math.min(1, r + 0.5 - d));
        const idx = y * this.w + x;
        if (v > (this.ink[idx] as number)) this.ink[idx] = v;
      }
    }
  }

  polyline(pts: Pt[], width: number): void {
    for (let i = 1; i < pts.length; i++) this.segment(pts[i - 1] as Pt, pts[i] as Pt, width);
  }

  /** Filled or outlined ellipse. */
  ellipse(cx: number, cy: number, rx: number, ry: number, fill: boolean, width: number): void {
    for (let y = 0; y < this.h; y++) {
      for (let x = 0; x < this.w; x++) {
        const d = Math.hypot((x - cx) / rx, (y - cy) / ry);
        const edge = Math.min(rx, ry);
        const v = fill
          ? Math.max(0, Math.min(1, (1 - d) * edge + 0.5))
          : Math.max(0, Math.min(1, width / 2 + 0.5 - Math.abs(d - 1) * edge));
        const idx = y * this.w + x;
        if (v > (this.ink[idx] as number)) this.ink[idx] = v;
      }
    }
  }

  rect(x0: number, y0: number, x1: number, y1: number, fill: boolean, width: number): void {
    if (!fill) {
      this.polyline(
        [
          [x0, y0],
          [x1, y0],
          [x1, y1],
          [x0, y1],
          [x0, y0],
        ],
        width,
      );
      return;
    }
    for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(this.h - 1, y1); y++) {
      for (let x = Math.max(0, Math.floor(x0)); x <= Math.min(this.w - 1, x1); x++) this.ink[y * this.w + x] = 1;
    }
  }
}

function toPixels(c: Canvas, rng: Rng, colour = false): RawPixelsLike {
  // Random paper and ink grey levels and polarity: preprocessing must cope with both, as with uploads.
  const darkInk = rng.uniform() < 0.5;
  const paper = darkInk ? 200 + rng.uniform() * 55 : rng.uniform() * 40;
  const ink = darkInk ? rng.uniform() * 60 : 200 + rng.uniform() * 55;
  const channels = colour ? 3 : 1;
  const data = new Uint8Array(c.w * c.h * channels);
  const tint = [0.6 + 0.4 * rng.uniform(), 0.6 + 0.4 * rng.uniform(), 0.6 + 0.4 * rng.uniform()];
  for (let i = 0; i < c.w * c.h; i++) {
    const v = paper + (c.ink[i] as number) * (ink - paper);
    for (let ch = 0; ch < channels; ch++)
      data[i * channels + ch] = Math.max(0, Math.min(255, Math.round(colour ? v * (tint[ch] as number) : v)));
  }
  return { data, width: c.w, height: c.h, channels: channels as 1 | 3 };
}

function size(rng: Rng): number {
  return 28 + Math.floor(rng.uniform() * 72);
}

function smoothNoise(w: number, h: number, cells: number, rng: Rng): Float32Array {
  const g = new Float32Array((cells + 1) * (cells + 1)).map(() => rng.uniform());
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const gx = (x / w) * cells;
      const gy = (y / h) * cells;
      const ix = Math.floor(gx);
      const iy = Math.floor(gy);
      const fx = gx - ix;
      const fy = gy - iy;
      const at = (a: number, b: number): number => g[b * (cells + 1) + a] as number;
      out[y * w + x] =
        (at(ix, iy) * (1 - fx) + at(ix + 1, iy) * fx) * (1 - fy) +
        (at(ix, iy + 1) * (1 - fx) + at(ix + 1, iy + 1) * fx) * fy;
    }
  }
  return out;
}

/** Draws one synthetic non-digit of `kind`. `digits` (optional) feeds the two-digits composite. */
export function syntheticNonDigit(kind: SyntheticKind, rng: Rng, digits?: ImageSetLike): RawPixelsLike {
  const s = size(rng);
  const c = new Canvas(s, s);
  const u = (): number => rng.uniform();
  switch (kind) {
    case 'noise': {
      const sparse = u() < 0.5;
      for (let i = 0; i < c.ink.length; i++) c.ink[i] = sparse ? (u() < 0.15 ? 1 : 0) : u();
      return toPixels(c, rng);
    }
    case 'photo-like': {
      const colour = u() < 0.6;
      const w = s;
      const layers = [
        smoothNoise(w, w, 2 + Math.floor(u() * 6), rng),
        smoothNoise(w, w, 8 + Math.floor(u() * 12), rng),
      ];
      const channels = colour ? 3 : 1;
      const data = new Uint8Array(w * w * channels);
      const mix = [u(), u(), u()];
      for (let i = 0; i < w * w; i++) {
        for (let ch = 0; ch < channels; ch++) {
          const v = 0.6 * (layers[0]![i] as number) * (0.5 + (mix[ch] as number)) + 0.4 * (layers[1]![i] as number);
          data[i * channels + ch] = Math.max(0, Math.min(255, Math.round(v * 255)));
        }
      }
      return { data, width: w, height: w, channels: channels as 1 | 3 };
    }
    case 'gradient': {
      const radial = u() < 0.5;
      const a = u() * 2 * Math.PI;
      for (let y = 0; y < s; y++) {
        for (let x = 0; x < s; x++) {
          c.ink[y * s + x] = radial
            ? Math.max(0, 1 - Math.hypot(x - s / 2, y - s / 2) / (s * (0.3 + 0.4 * u())))
            : 0.5 + 0.5 * Math.cos(a) * ((x / s) * 2 - 1) * 0.9 + 0.5 * Math.sin(a) * ((y / s) * 2 - 1) * 0.9;
        }
      }
      return toPixels(c, rng, u() < 0.3);
    }
    case 'strokes': {
      const n = 1 + Math.floor(u() * 4);
      for (let k = 0; k < n; k++) {
        const pts: Pt[] = [[u() * s, u() * s]];
        let ang = u() * 2 * Math.PI;
        const steps = 3 + Math.floor(u() * 10);
        for (let t = 0; t < steps; t++) {
          ang += (u() - 0.5) * 2.5;
          const [px, py] = pts[pts.length - 1] as Pt;
          pts.push([
            Math.max(0, Math.min(s - 1, px + Math.cos(ang) * s * 0.15)),
            Math.max(0, Math.min(s - 1, py + Math.sin(ang) * s * 0.15)),
          ]);
        }
        c.polyline(pts, 1 + u() * s * 0.08);
      }
      return toPixels(c, rng);
    }
    case 'shapes': {
      const n = 1 + Math.floor(u() * 3);
      for (let k = 0; k < n; k++) {
        const fill = u() < 0.5;
        const w = 1 + u() * s * 0.08;
        const r = u();
        if (r < 0.4)
          c.ellipse(
            s * (0.2 + 0.6 * u()),
            s * (0.2 + 0.6 * u()),
            s * (0.1 + 0.3 * u()),
            s * (0.1 + 0.3 * u()),
            fill,
            w,
          );
        else if (r < 0.8) {
          const x0 = u() * s * 0.6;
          const y0 = u() * s * 0.6;
          c.rect(x0, y0, x0 + s * (0.15 + 0.4 * u()), y0 + s * (0.15 + 0.4 * u()), fill, w);
        } else {
          const tri: Pt[] = [
            [u() * s, u() * s],
            [u() * s, u() * s],
            [u() * s, u() * s],
          ];
          c.polyline([...tri, tri[0] as Pt], w);
        }
      }
      return toPixels(c, rng);
    }
    case 'letters': {
      const names = Object.keys(LETTERS);
      const strokes = LETTERS[names[Math.floor(u() * names.length)] as string] as Pt[][];
      const scale = s * (0.5 + 0.35 * u());
      const rot = (u() - 0.5) * 0.6;
      const ox = (s - scale) / 2 + (u() - 0.5) * s * 0.1;
      const oy = (s - scale) / 2 + (u() - 0.5) * s * 0.1;
      const tf = ([x, y]: Pt): Pt => {
        const jx = x + (u() - 0.5) * 0.06;
        const jy = y + (u() - 0.5) * 0.06;
        const rx = (jx - 0.5) * Math.cos(rot) - (jy - 0.5) * Math.sin(rot) + 0.5;
        const ry = (jx - 0.5) * Math.sin(rot) + (jy - 0.5) * Math.cos(rot) + 0.5;
        return [ox + rx * scale, oy + ry * scale];
      };
      const w = 1 + scale * (0.06 + 0.1 * u());
      for (const st of strokes) c.polyline(st.map(tf), w);
      return toPixels(c, rng);
    }
    case 'texture': {
      const period = 2 + u() * 10;
      const checker = u() < 0.5;
      const a = u() * Math.PI;
      for (let y = 0; y < s; y++) {
        for (let x = 0; x < s; x++) {
          const p = (x * Math.cos(a) + y * Math.sin(a)) / period;
          const q = (-x * Math.sin(a) + y * Math.cos(a)) / period;
          c.ink[y * s + x] = checker ? (Math.floor(p) + Math.floor(q)) & 1 : Math.floor(p) & 1;
        }
      }
      return toPixels(c, rng);
    }
    case 'blob': {
      const n = 2 + Math.floor(u() * 5);
      for (let k = 0; k < n; k++)
        c.ellipse(s * (0.3 + 0.4 * u()), s * (0.3 + 0.4 * u()), s * (0.1 + 0.2 * u()), s * (0.1 + 0.2 * u()), true, 1);
      return toPixels(c, rng);
    }
    case 'two-digits': {
      if (!digits || digits.n === 0) return syntheticNonDigit('strokes', rng);
      const w = 56;
      const data = new Uint8Array(w * 28);
      for (let half = 0; half < 2; half++) {
        const idx = Math.floor(u() * digits.n);
        for (let y = 0; y < 28; y++) {
          for (let x = 0; x < 28; x++)
            data[y * w + x + half * 26] = Math.max(
              data[y * w + x + half * 26] as number,
              digits.images[idx * 784 + y * 28 + x] as number,
            );
        }
      }
      return { data, width: w, height: 28, channels: 1 };
    }
  }
}

/** `count` non-digits cycling through every kind, reproducible from `seed`. */
export function syntheticNonDigits(
  count: number,
  seed: number,
  digits?: ImageSetLike,
): { kind: SyntheticKind; pixels: RawPixelsLike }[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const kind = SYNTHETIC_KINDS[i % SYNTHETIC_KINDS.length] as SyntheticKind;
    return { kind, pixels: syntheticNonDigit(kind, rng, digits) };
  });
}
