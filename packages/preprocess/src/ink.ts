import { fitBackground, localPaper } from './background';
import { labelComponents, type Component } from './components';
import { removeRulings } from './rules';
import { removeAxisRulings } from './rules-axis';
import { DEFAULT_STEPS, type NormaliseSteps } from './types';
import type { Rgba } from './decode';
import type { Plane } from './resample';
import { borderIndices, percentile } from './stats';

/** Luminance with alpha flattened onto the paper colour, and colour statistics of the same composite. */
export interface Flattened {
  luma: Plane;
  transparency: boolean;
  colourfulness: number;
}

/** Ink bounding box in working pixels, inclusive. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The ink, separated from the paper: light strokes on black as in MNIST, strength in [0,1]. */
export interface InkAnalysis {
  ink: Plane;
  inverted: boolean;
  /** Null when nothing stands out from the paper. */
  box: Box | null;
  contrast: number;
  paperNoise: number;
  inkFraction: number;
  components: number;
  droppedInk: number;
  strokeWidth: number;
  /** Rows plus columns removed as rulings of lined or squared paper. */
  ruled: number;
}

const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;

function ringWidth(width: number, height: number): number {
  return Math.max(1, Math.round(0.03 * Math.min(width, height)));
}

/**
 * Flattens alpha onto the paper: when the border is mostly transparent the paper is whatever contrasts with the
 * opaque content (dark strokes on a transparent canvas go on white, light strokes on black), otherwise it is the
 * opaque border's colour, so transparent holes read as paper rather than as ink.
 */
export function flatten(rgba: Rgba): Flattened {
  const { data, width, height } = rgba;
  const n = width * height;
  const lum = new Float32Array(n);
  let transparent = 0;
  for (let i = 0; i < n; i++) {
    lum[i] = LUMA_R * data[i * 4]! + LUMA_G * data[i * 4 + 1]! + LUMA_B * data[i * 4 + 2]!;
    if (data[i * 4 + 3]! < 250) transparent++;
  }
  let paper = 0;
  if (transparent > 0) {
    const ring = borderIndices(width, height, ringWidth(width, height));
    let clearBorder = 0;
    const opaqueBorder: number[] = [];
    for (let k = 0; k < ring.length; k++) {
      const i = ring[k]!;
      if (data[i * 4 + 3]! < 128) clearBorder++;
      else opaqueBorder.push(lum[i]!);
    }
    if (clearBorder > ring.length / 2) {
      let wsum = 0;
      let lsum = 0;
      for (let i = 0; i < n; i++) {
        const a = data[i * 4 + 3]! / 255;
        wsum += a;
        lsum += a * lum[i]!;
      }
      paper = wsum > 0 && lsum / wsum < 128 ? 255 : 0;
    } else {
      paper = percentile(opaqueBorder, 0.5);
    }
  }
  // Colourfulness (Hasler & Süsstrunk 2003) on the same composite the luminance describes.
  let sRg = 0;
  let sYb = 0;
  let sRg2 = 0;
  let sYb2 = 0;
  const composite = transparent > 0;
  for (let i = 0; i < n; i++) {
    let r = data[i * 4]!;
    let g = data[i * 4 + 1]!;
    let b = data[i * 4 + 2]!;
    if (composite) {
      const a = data[i * 4 + 3]! / 255;
      r = r * a + paper * (1 - a);
      g = g * a + paper * (1 - a);
      b = b * a + paper * (1 - a);
      lum[i] = LUMA_R * r + LUMA_G * g + LUMA_B * b;
    }
    const rg = r - g;
    const yb = 0.5 * (r + g) - b;
    sRg += rg;
    sYb += yb;
    sRg2 += rg * rg;
    sYb2 += yb * yb;
  }
  const mRg = sRg / n;
  const mYb = sYb / n;
  const vRg = Math.max(0, sRg2 / n - mRg * mRg);
  const vYb = Math.max(0, sYb2 / n - mYb * mYb);
  const colourfulness = Math.sqrt(vRg + vYb) + 0.3 * Math.sqrt(mRg * mRg + mYb * mYb);
  return { luma: { data: lum, width, height }, transparency: transparent > 0, colourfulness };
}

/** Smallest contrast (grey levels) between paper and ink that counts as ink at all. */
const MIN_CONTRAST = 40;
/** A component is kept when its ink mass is at least this share of the digit's main component's... */
const KEEP_SHARE = 0.06;
/** ...and it lies within this share of the main component's longer side from the digit's box. */
const NEAR = 0.5;
/**
 * A component inside the image (of 20 px or more) takes over from a heavier one touching the border at this share
 * of its mass: a small digit on a photographed sheet weighs little next to the shadow across it.
 */
const INSIDE_SHARE = 0.005;
/**
 * Percentile of the candidate ink strengths taken as full-strength stroke. The median (rather than the maximum)
 * keeps ink mass on re-encoded uploads close to the original digits' (measured with the eval's seeded uploads).
 */
const STROKE_CORE = 0.5;
/** Ink strength above which a pixel belongs to a stroke (for components and the bounding box). */
const STROKE_LEVEL = 0.2;

function blank(luma: Plane, inverted: boolean, paperNoise: number): InkAnalysis {
  return {
    ink: { data: new Float32Array(luma.width * luma.height), width: luma.width, height: luma.height },
    inverted,
    box: null,
    contrast: 0,
    paperNoise,
    inkFraction: 0,
    components: 0,
    droppedInk: 0,
    strokeWidth: 0,
    ruled: 0,
  };
}

/**
 * Separates ink from paper. The paper level (a smooth surface, for uneven lighting) and its noise come from the
 * border; the polarity from which side of the paper the strong deviations lie (darker: dark ink on light paper,
 * which is inverted). With `steps.localPaper` the level then follows the paper locally (shadows). Ink strength is
 * stretched between the noise floor and a robust stroke level, rulings are removed, and only the components that
 * make up the digit are kept (`steps.isolate`), so specks, smudges and shadow edges neither stretch the bounding
 * box nor pull the centre of mass.
 */
export function separateInk(luma: Plane, steps: NormaliseSteps = DEFAULT_STEPS): InkAnalysis {
  const { data: L, width, height } = luma;
  const n = width * height;
  const ring = borderIndices(width, height, ringWidth(width, height));
  const { level: paper, median: paperMedian, sigma } = fitBackground(luma, ring);
  const threshold = Math.max(MIN_CONTRAST, 4 * sigma);
  let darker = 0;
  let lighter = 0;
  for (let i = 0; i < n; i++) {
    const d = L[i]! - paper[i]!;
    if (d < -threshold) darker -= d;
    else if (d > threshold) lighter += d;
  }
  const inverted = darker > lighter;
  // Where the paper varies faster than the border fit can follow (a shadow across the sheet), the local level
  // takes over on the side where it departs from the fit towards the ink: a shadow is then paper, not ink.
  if (steps.localPaper) {
    const local = localPaper(luma, inverted);
    for (let i = 0; i < n; i++) {
      const l = local[i]!;
      if (inverted ? l < paper[i]! : l > paper[i]!) paper[i] = l;
    }
  }
  const strength = new Float32Array(n);
  // Lighting multiplies paper and ink alike: on light paper, ink darkness is measured relative to the local paper
  // brightness (scaled to the border median) so a stroke in the shade is as strong as one in the light.
  for (let i = 0; i < n; i++) {
    const p = paper[i]!;
    const d = inverted ? ((p - L[i]!) * paperMedian) / (p > 16 ? p : 16) : L[i]! - p;
    strength[i] = d > 0 ? d : 0;
  }
  let candidates = 0;
  for (let i = 0; i < n; i++) if (strength[i]! > threshold) candidates++;
  if (candidates < Math.max(2, n * 1e-4)) return blank(luma, inverted, sigma / 255);
  const candidateValues = new Float32Array(candidates);
  for (let i = 0, k = 0; i < n; i++) if (strength[i]! > threshold) candidateValues[k++] = strength[i]!;

  const hi = Math.max(threshold, percentile(candidateValues, STROKE_CORE));
  const lo = Math.min(Math.max(2 * sigma, 10), 0.4 * hi);
  const ink = new Float32Array(n);
  const mask = new Uint8Array(n);
  const span = hi - lo;
  for (let i = 0; i < n; i++) {
    const raw = (strength[i]! - lo) / span;
    const v = raw < 0 ? 0 : raw > 1 ? 1 : raw;
    ink[i] = v;
    mask[i] = v > STROKE_LEVEL ? 1 : 0;
  }
  const ruled = steps.tiltedRulings
    ? removeRulings(mask, ink, STROKE_LEVEL, width, height)
    : removeAxisRulings(mask, ink, STROKE_LEVEL, width, height);
  const { labels, components } = labelComponents(mask, ink, width, height);
  const keep = steps.isolate ? digitComponents(components, width, height) : heavyComponents(components);
  const kept = new Uint8Array(components.length + 1);
  const box: Box = { x0: width, y0: height, x1: -1, y1: -1 };
  let keptMass = 0;
  let totalMass = 0;
  let keptArea = 0;
  let keptCount = 0;
  for (const c of components) {
    totalMass += c.mass;
    if (!keep.has(c.label)) continue;
    kept[c.label] = 1;
    keptCount++;
    keptMass += c.mass;
    keptArea += c.area;
    box.x0 = Math.min(box.x0, c.x0);
    box.y0 = Math.min(box.y0, c.y0);
    box.x1 = Math.max(box.x1, c.x1);
    box.y1 = Math.max(box.y1, c.y1);
  }
  if (keptCount === 0) return blank(luma, inverted, sigma / 255);
  // Faint fringes (label 0) stay: they are the anti-aliased edges of the strokes. Dropped specks go.
  for (let i = 0; i < n; i++) if (labels[i] && !kept[labels[i]!]) ink[i] = 0;
  return {
    ink: { data: ink, width, height },
    inverted,
    box,
    contrast: hi / 255,
    paperNoise: sigma / 255,
    inkFraction: keptArea / n,
    components: keptCount,
    droppedInk: totalMass > 0 ? 1 - keptMass / totalMass : 0,
    strokeWidth: relativeStrokeWidth(ink, width, box),
    ruled,
  };
}

/** The components of at least {@link KEEP_SHARE} of the heaviest one's mass, wherever they are. */
function heavyComponents(components: Component[]): Set<number> {
  const max = components.reduce((m, c) => Math.max(m, c.mass), 0);
  return new Set(components.filter((c) => c.mass >= KEEP_SHARE * max).map((c) => c.label));
}

const touchesBorder = (c: Component, width: number, height: number): boolean =>
  c.x0 === 0 || c.y0 === 0 || c.x1 === width - 1 || c.y1 === height - 1;

/**
 * The components that make up the digit. The anchor is the heaviest component, but one that reaches the image
 * border (the edge of a shadow, a hand, the table beside the sheet) gives way to the heaviest one inside the
 * image when that one has at least {@link INSIDE_SHARE} of its mass and is not a speck. Kept with it: components of at least
 * {@link KEEP_SHARE} of its mass that lie near it (within {@link NEAR} of its size from the growing box), so
 * the parts of a digit stay together while specks and smudges elsewhere on the sheet go.
 */
function digitComponents(components: Component[], width: number, height: number): Set<number> {
  const keep = new Set<number>();
  if (components.length === 0) return keep;
  let anchor = components[0]!;
  for (const c of components) if (c.mass > anchor.mass) anchor = c;
  const minArea = Math.max(20, 1e-4 * width * height);
  const heir = (eligible: (c: Component) => boolean): Component | null => {
    let best: Component | null = null;
    for (const c of components) {
      if (c === anchor || c.area < minArea || c.mass < INSIDE_SHARE * anchor.mass || !eligible(c)) continue;
      if (!best || c.mass > best.mass) best = c;
    }
    return best;
  };
  if (touchesBorder(anchor, width, height)) anchor = heir((c) => !touchesBorder(c, width, height)) ?? anchor;
  keep.add(anchor.label);
  const box = { x0: anchor.x0, y0: anchor.y0, x1: anchor.x1, y1: anchor.y1 };
  const reach = NEAR * Math.max(anchor.x1 - anchor.x0 + 1, anchor.y1 - anchor.y0 + 1);
  for (let grew = true; grew;) {
    grew = false;
    for (const c of components) {
      if (keep.has(c.label) || c.mass < KEEP_SHARE * anchor.mass) continue;
      const dx = Math.max(0, box.x0 - c.x1, c.x0 - box.x1);
      const dy = Math.max(0, box.y0 - c.y1, c.y0 - box.y1);
      if (dx > reach || dy > reach) continue;
      keep.add(c.label);
      box.x0 = Math.min(box.x0, c.x0);
      box.y0 = Math.min(box.y0, c.y0);
      box.x1 = Math.max(box.x1, c.x1);
      box.y1 = Math.max(box.y1, c.y1);
      grew = true;
    }
  }
  return keep;
}

/** Stroke width (2 x area / perimeter of the strokes above half strength) over the bounding box's longer side. */
function relativeStrokeWidth(ink: Float32Array, width: number, box: Box): number {
  let area = 0;
  let perimeter = 0;
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) {
      const i = y * width + x;
      if (!(ink[i]! > 0.5)) continue;
      area++;
      if (x === box.x1 || !(ink[i + 1]! > 0.5)) perimeter++;
      if (x === box.x0 || !(ink[i - 1]! > 0.5)) perimeter++;
      if (y === box.y1 || !(ink[i + width]! > 0.5)) perimeter++;
      if (y === box.y0 || !(ink[i - width]! > 0.5)) perimeter++;
    }
  }
  const long = Math.max(box.x1 - box.x0 + 1, box.y1 - box.y0 + 1);
  return perimeter > 0 ? (2 * area) / perimeter / long : 0;
}
