import { between, pick, type Rand } from './noise';

/**
 * How an item is photographed, scanned or captured. Each look is a family of randomised conditions drawn from the
 * item's seed (README describes them).
 */
export const LOOKS = [
  'paper-photo',
  'lined-paper',
  'squared-paper',
  'coloured-pen',
  'chalkboard',
  'screen-crop',
  'small-in-large',
  'marker-whiteboard',
  'fine-pen',
  'tilted-blurry',
] as const;
export type Look = (typeof LOOKS)[number];

/** 8-bit sRGB triple. For inks: the share of light each channel reflects, times 255 (255 = no absorption). */
export type Rgb = readonly [number, number, number];

/** Where and how the content is drawn on the (flat) sheet, in canvas pixels. */
export interface Pose {
  /** Size of the content's box (the glyph's height), pixels. */
  size: number;
  cx: number;
  cy: number;
  /** Degrees, positive counter-clockwise. */
  rotation: number;
  /** Degrees, positive leaning right. */
  slant: number;
  /** Horizontal scale relative to the font's proportions (narrow or wide writing). */
  squeeze: number;
  /** Stroke width as a share of `size`, or null to keep the font's own width times `strokeScale`. */
  strokeWidth: number | null;
  strokeScale: number;
}

export interface RulingSpec {
  kind: 'lined' | 'squared';
  /** Pixels between rules on the flat sheet. */
  spacing: number;
  /** Offset of the first rule, pixels. */
  phase: number;
  width: number;
  colour: Rgb;
  /** x of a red margin line on lined paper, or null. */
  margin: number | null;
}

/** The surface and the marking tool. */
export type Medium =
  | {
      type: 'paper';
      paper: Rgb;
      ink: Rgb;
      /** Strength of ink-density changes along the strokes (pen pressure), 0..1. */
      pressure: number;
      /** Share of the stroke left unmarked by the grain of the paper (pencil), 0..1. */
      grain: number;
      ruling: RulingSpec | null;
      /** Dust and dirt dots on the sheet. */
      specks: number;
    }
  | { type: 'chalk'; board: Rgb; chalk: Rgb; haze: number; grain: number }
  | { type: 'screen'; background: Rgb; text: Rgb; zoom: number; smoothZoom: boolean }
  | { type: 'whiteboard'; board: Rgb; ink: Rgb; streaks: number; glare: number; ghost: number };

/** What the camera, scanner or screenshot tool adds. */
export interface Capture {
  /** Lighting gradient across the image (fraction of brightness per image width / height). */
  gradient: readonly [number, number];
  vignette: number;
  /** A soft shadow over part of the image (a hand or a phone), or null. */
  shadow: { angle: number; offset: number; depth: number; softness: number } | null;
  /** Corner displacement of the sheet as a share of the image size (a camera not square above the sheet). */
  perspective: number;
  /** Gaussian blur sigma, pixels (focus, motion, a soft lens). */
  blur: number;
  /** Sensor noise, grey levels (standard deviation). */
  noise: number;
  format: 'jpeg' | 'webp' | 'png';
  quality: number;
}

/** Everything random about one item except its content. */
export interface Plan {
  look: Look;
  width: number;
  height: number;
  pose: Pose;
  medium: Medium;
  capture: Capture;
}

const BALLPOINT_INKS: Rgb[] = [
  [40, 40, 48], // black ballpoint
  [50, 62, 140], // blue ballpoint
  [22, 22, 26], // black felt tip
  [105, 105, 110], // pencil (with grain)
];
const COLOURED_INKS: Rgb[] = [
  [215, 40, 45], // red
  [40, 140, 70], // green
  [120, 60, 160], // purple
  [245, 130, 30], // orange
  [70, 150, 230], // light blue
  [230, 80, 160], // pink
  [150, 90, 40], // brown
];
const BOARDS: Rgb[] = [
  [38, 66, 52], // green chalkboard
  [34, 38, 40], // black slate
  [30, 45, 60], // blue-black
];
const CHALKS: Rgb[] = [
  [236, 236, 228],
  [240, 226, 150],
  [240, 180, 200],
  [170, 210, 240],
];
const SCREEN_BACKGROUNDS: Rgb[] = [
  [0, 0, 0],
  [30, 30, 30],
  [40, 44, 52],
  [0, 43, 54],
  [20, 24, 40],
];
const SCREEN_TEXT: Rgb[] = [
  [255, 255, 255],
  [220, 220, 220],
  [90, 250, 120],
  [255, 176, 0],
  [120, 220, 255],
];
const MARKERS: Rgb[] = [
  [30, 30, 35],
  [35, 70, 190],
  [200, 40, 40],
  [30, 130, 70],
];

const signed = (rand: Rand, max: number): number => between(rand, -max, max);

function paperColour(rand: Rand, lo: number, hi: number): Rgb {
  const base = between(rand, lo, hi);
  const warm = signed(rand, 8);
  return [base + warm, base + warm * 0.3, base - warm - between(rand, 0, 6)];
}

function pose(rand: Rand, size: number, width: number, height: number, tilt: number, lean: number): Pose {
  // Keep the content inside the canvas with a little room to spare, at a random place.
  const room = (side: number): number => Math.max(0, side / 2 - size * 0.62);
  return {
    size,
    cx: width / 2 + signed(rand, room(width)),
    cy: height / 2 + signed(rand, room(height)),
    rotation: signed(rand, tilt),
    slant: signed(rand, lean),
    squeeze: between(rand, 0.85, 1.15),
    strokeWidth: null,
    strokeScale: between(rand, 0.8, 1.3),
  };
}

function photo(rand: Rand, size: number): Capture {
  return {
    gradient: [signed(rand, 0.18), signed(rand, 0.18)],
    vignette: between(rand, 0, 0.25),
    shadow:
      rand() < 0.35
        ? {
            angle: between(rand, 0, 2 * Math.PI),
            offset: between(rand, 0.15, 0.45),
            depth: between(rand, 0.12, 0.35),
            softness: between(rand, 0.03, 0.15),
          }
        : null,
    perspective: between(rand, 0.01, 0.06),
    blur: between(rand, 0.2, 0.6) + size * between(rand, 0, 0.006),
    noise: between(rand, 2, 7),
    format: rand() < 0.85 ? 'jpeg' : 'webp',
    quality: Math.round(between(rand, 55, 92)),
  };
}

function scan(rand: Rand): Capture {
  return {
    gradient: [signed(rand, 0.03), signed(rand, 0.03)],
    vignette: 0,
    shadow: null,
    perspective: 0,
    blur: between(rand, 0.2, 0.5),
    noise: between(rand, 0.5, 2.5),
    format: rand() < 0.5 ? 'png' : 'jpeg',
    quality: Math.round(between(rand, 80, 95)),
  };
}

function paper(rand: Rand, ink: Rgb, ruling: RulingSpec | null, specks: number): Medium {
  const pencil = ink === BALLPOINT_INKS[3];
  return {
    type: 'paper',
    paper: paperColour(rand, 205, 248),
    ink,
    pressure: between(rand, 0.05, 0.3),
    grain: pencil ? between(rand, 0.2, 0.45) : between(rand, 0, 0.08),
    ruling,
    specks,
  };
}

/** Canvas around a content box of `size` pixels, as a photo of a digit usually is: 1.3 to 2.4 times larger. */
function canvasAround(rand: Rand, size: number): { width: number; height: number } {
  return { width: Math.round(size * between(rand, 1.3, 2.4)), height: Math.round(size * between(rand, 1.3, 2.2)) };
}

/** Draws the conditions of one item of `look`. */
export function planLook(look: Look, rand: Rand): Plan {
  switch (look) {
    case 'paper-photo':
    case 'lined-paper':
    case 'squared-paper': {
      const size = between(rand, 36, 180);
      const { width, height } = canvasAround(rand, size);
      const p = pose(rand, size, width, height, 8, 10);
      let ruling: RulingSpec | null = null;
      if (look === 'lined-paper') {
        const spacing = size * between(rand, 0.9, 1.4);
        ruling = {
          kind: 'lined',
          spacing,
          // The digit sits on a rule, give or take, as on a school exercise book.
          phase: p.cy + size / 2 + signed(rand, size * 0.1),
          width: Math.max(1, size * between(rand, 0.01, 0.025)),
          colour: [150, 185, 235],
          margin: rand() < 0.3 ? between(rand, 0, width * 0.3) : null,
        };
      } else if (look === 'squared-paper') {
        ruling = {
          kind: 'squared',
          spacing: size * between(rand, 0.35, 0.6),
          phase: between(rand, 0, size),
          width: Math.max(0.8, size * between(rand, 0.006, 0.015)),
          colour: pick(rand, [
            [165, 190, 225],
            [175, 175, 180],
          ] as Rgb[]),
          margin: null,
        };
      }
      const medium = paper(
        rand,
        pick(rand, BALLPOINT_INKS),
        ruling,
        rand() < 0.3 ? Math.floor(between(rand, 1, 5)) : 0,
      );
      return { look, width, height, pose: p, medium, capture: photo(rand, size) };
    }
    case 'coloured-pen': {
      const size = between(rand, 36, 170);
      const { width, height } = canvasAround(rand, size);
      const medium: Medium = {
        ...(paper(rand, pick(rand, COLOURED_INKS), null, 0) as Extract<Medium, { type: 'paper' }>),
        paper: paperColour(rand, 228, 252),
      };
      const capture = rand() < 0.5 ? scan(rand) : photo(rand, size);
      return { look, width, height, pose: pose(rand, size, width, height, 8, 10), medium, capture };
    }
    case 'chalkboard': {
      const size = between(rand, 44, 180);
      const { width, height } = canvasAround(rand, size);
      const p = { ...pose(rand, size, width, height, 8, 10), strokeScale: between(rand, 1.0, 1.6) };
      const medium: Medium = {
        type: 'chalk',
        board: pick(rand, BOARDS),
        chalk: pick(rand, CHALKS),
        haze: between(rand, 0.05, 0.3),
        grain: between(rand, 0.15, 0.4),
      };
      return { look, width, height, pose: p, medium, capture: photo(rand, size) };
    }
    case 'screen-crop': {
      const zoom = rand() < 0.5 ? 1 : Math.floor(between(rand, 2, 6));
      const size = zoom === 1 ? between(rand, 20, 120) : between(rand, 12, 28);
      const width = Math.round(size * between(rand, 1.15, 2.2));
      const height = Math.round(size * between(rand, 1.15, 1.8));
      const p = {
        ...pose(rand, size, width, height, 0, 0),
        squeeze: 1,
        strokeScale: 1,
        slant: rand() < 0.15 ? between(rand, 8, 12) : 0,
      };
      const medium: Medium = {
        type: 'screen',
        background: pick(rand, SCREEN_BACKGROUNDS),
        text: pick(rand, SCREEN_TEXT),
        zoom,
        smoothZoom: rand() < 0.4,
      };
      const format = pick(rand, ['png', 'png', 'webp', 'jpeg'] as const);
      const capture: Capture = {
        gradient: [0, 0],
        vignette: 0,
        shadow: null,
        perspective: 0,
        blur: 0,
        noise: 0,
        format,
        quality: Math.round(between(rand, 70, 95)),
      };
      return { look, width: width * zoom, height: height * zoom, pose: p, medium, capture };
    }
    case 'small-in-large': {
      const width = Math.round(between(rand, 420, 640));
      const height = Math.round(width * between(rand, 0.6, 0.9));
      const size = height * between(rand, 0.07, 0.16);
      const p = pose(rand, size, width, height, 8, 10);
      p.cx = between(rand, size, width - size);
      p.cy = between(rand, size, height - size);
      const medium = paper(rand, pick(rand, BALLPOINT_INKS), null, Math.floor(between(rand, 2, 12)));
      return { look, width, height, pose: p, medium, capture: { ...photo(rand, size), perspective: 0.03 } };
    }
    case 'marker-whiteboard': {
      const size = between(rand, 44, 180);
      const { width, height } = canvasAround(rand, size);
      const p = { ...pose(rand, size, width, height, 8, 10), strokeWidth: between(rand, 0.14, 0.22) };
      const grey = between(rand, 220, 245);
      const medium: Medium = {
        type: 'whiteboard',
        board: [grey - 3, grey, grey + 4],
        ink: pick(rand, MARKERS),
        streaks: between(rand, 0.05, 0.3),
        glare: rand() < 0.6 ? between(rand, 0.1, 0.35) : 0,
        ghost: between(rand, 0, 0.08),
      };
      return { look, width, height, pose: p, medium, capture: photo(rand, size) };
    }
    case 'fine-pen': {
      const size = between(rand, 70, 200);
      const { width, height } = canvasAround(rand, size);
      const p = { ...pose(rand, size, width, height, 6, 8), strokeWidth: between(rand, 0.025, 0.05) };
      const medium = paper(rand, pick(rand, BALLPOINT_INKS.slice(0, 3)), null, 0);
      return { look, width, height, pose: p, medium, capture: rand() < 0.6 ? scan(rand) : photo(rand, size) };
    }
    case 'tilted-blurry': {
      const size = between(rand, 36, 170);
      const { width, height } = canvasAround(rand, size);
      const sign = (): number => (rand() < 0.5 ? -1 : 1);
      const p = {
        ...pose(rand, size, width, height, 0, 0),
        rotation: sign() * between(rand, 6, 15),
        slant: sign() * between(rand, 5, 15),
      };
      const medium = paper(rand, pick(rand, BALLPOINT_INKS), null, 0);
      const base = photo(rand, size);
      const capture: Capture = {
        ...base,
        blur: size * between(rand, 0.015, 0.04),
        format: rand() < 0.5 ? 'webp' : 'jpeg',
        quality: Math.round(between(rand, 25, 60)),
      };
      return { look, width, height, pose: p, medium, capture };
    }
  }
}
