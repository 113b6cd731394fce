import { loadFashionMnistTest } from '@mserve/datasets';
import { seededRandom } from '@mserve/preprocess';
import sharp from 'sharp';
import { drawContent, type Content, type FarContent } from './content';
import type { Split } from './fonts';
import { identity, perspective, type Mat3 } from './geometry';
import { planLook, type Look, type Plan } from './looks';
import { between, type Rand } from './noise';
import { applyCapture, applyMedium, toBytes, zoomPlanes } from './paint';

/** Digits, non-digit characters and symbols (near out-of-distribution), or no character at all (far). */
export type ItemKind = 'digit' | 'near-ood' | 'far-ood';

/** Everything that identifies an item; the image follows from it. */
export interface ItemSpec {
  split: Split;
  kind: ItemKind;
  look: Look;
  /** 0-9 for digits, null otherwise. */
  label: number | null;
  /** The font id, or null for procedural content (arrows, far-OOD). */
  font: string | null;
  /** The character drawn, `arrow-<direction>`, or the far-OOD generator's name. */
  content: string;
  seed: number;
}

/** One benchmark image: the bytes a client would upload, and what it shows. */
export interface ShiftedItem extends ItemSpec {
  image: Buffer;
  format: 'jpeg' | 'webp' | 'png';
  width: number;
  height: number;
}

const ARROWS: Record<string, { angle: number; double: boolean }> = {
  'arrow-right': { angle: 0, double: false },
  'arrow-up': { angle: 90, double: false },
  'arrow-left': { angle: 180, double: false },
  'arrow-down': { angle: 270, double: false },
  'arrow-up-right': { angle: 45, double: false },
  'arrow-left-right': { angle: 0, double: true },
};
/** Names of the procedural arrows among the near-OOD contents. */
export const ARROW_CONTENTS = Object.keys(ARROWS);

let fashion: Promise<{ n: number; images: Uint8Array }> | null = null;

async function fashionItem(seed: number): Promise<Uint8Array> {
  fashion ??= loadFashionMnistTest();
  const set = await fashion;
  const i = seed % set.n;
  return set.images.subarray(i * 784, (i + 1) * 784);
}

async function contentOf(spec: ItemSpec): Promise<Content> {
  if (spec.kind === 'far-ood') {
    const what = spec.content as FarContent;
    return what === 'fashion' ? { type: 'far', what, fashion: await fashionItem(spec.seed) } : { type: 'far', what };
  }
  const arrow = ARROWS[spec.content];
  if (arrow) return { type: 'arrow', font: '', ...arrow };
  return { type: 'glyph', font: spec.font!, char: spec.content };
}

/** The sheet as the camera sees it: each corner moved by up to `capture.perspective` of the shorter side. */
function pageMap(plan: Plan, width: number, height: number, rand: Rand): Mat3 {
  const j = plan.capture.perspective * Math.min(width, height);
  if (j <= 0) return identity();
  const to = [0, 0, width, 0, width, height, 0, height].map((v) => v + between(rand, -j, j));
  return perspective(width, height, to);
}

async function encode(rgb: Buffer, width: number, height: number, plan: Plan): Promise<Buffer> {
  const img = sharp(rgb, { raw: { width, height, channels: 3 } });
  const { format, quality } = plan.capture;
  if (format === 'jpeg') return img.jpeg({ quality }).toBuffer();
  if (format === 'webp') return img.webp({ quality }).toBuffer();
  return img.png({ compressionLevel: 6 }).toBuffer();
}

/**
 * Renders one item, deterministically from its spec: the look's conditions, the content and every noise field
 * come from `spec.seed` in a fixed order, so the same spec gives the same bytes.
 */
export async function renderItem(spec: ItemSpec): Promise<ShiftedItem> {
  const rand = seededRandom(spec.seed);
  const plan = planLook(spec.look, rand);
  const content = await contentOf(spec);
  const zoom = plan.medium.type === 'screen' ? plan.medium.zoom : 1;
  const inner = { ...plan, width: Math.round(plan.width / zoom), height: Math.round(plan.height / zoom) };
  const { width, height } = inner;
  const page = pageMap(plan, width, height, rand);
  const drawn = drawContent(content, inner, page, rand);
  let rgb = drawn.type === 'coverage' ? applyMedium(plan.medium, drawn.coverage, page, width, height, rand) : drawn.rgb;
  applyCapture(rgb, inner, rand);
  let [w, h] = [width, height];
  if (zoom > 1 && plan.medium.type === 'screen') {
    rgb = zoomPlanes(rgb, width, height, zoom, plan.medium.smoothZoom);
    [w, h] = [width * zoom, height * zoom];
  }
  const image = await encode(toBytes(rgb, w * h), w, h, plan);
  return { ...spec, image, format: plan.capture.format, width: w, height: h };
}
