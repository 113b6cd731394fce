import sharp from 'sharp';
import { loadFont } from './fonts';
import { chain, scale, toHomography, translate } from './geometry';
import type { ShiftedItem } from './item';
import { glyphShape, mapContours } from './outline';
import { rasterise } from './raster';

const THUMB = 112;
const CAPTION = 16;
const GAP = 4;
const CAPTION_FONT = 'roboto-mono';

/** Writes `text` in dark grey into an RGB buffer at (x, y) (baseline at y + size), monospaced, clipped to `maxW`. */
function drawText(rgb: Buffer, width: number, x: number, y: number, text: string, size: number, maxW: number): void {
  const font = loadFont(CAPTION_FONT);
  const advance = size * 0.6;
  const k = size / font.unitsPerEm;
  for (let i = 0; i < text.length && (i + 1) * advance <= maxW; i++) {
    const shape = glyphShape(font, text[i]!);
    if (!shape) continue;
    const m = chain(scale(k), translate(x + i * advance, y + size * 0.85));
    const cell = Math.ceil(advance) + 2;
    const ox = Math.floor(x + i * advance) - 1;
    const oy = Math.floor(y);
    const local = mapContours(shape.contours, toHomography(chain(m, translate(-ox, -oy))));
    const cov = rasterise(local, cell, size + 2, 0);
    for (let py = 0; py < size + 2; py++) {
      for (let px = 0; px < cell; px++) {
        const a = cov[py * cell + px]!;
        if (a <= 0) continue;
        const o = ((oy + py) * width + ox + px) * 3;
        for (let c = 0; c < 3; c++) rgb[o + c] = Math.round(rgb[o + c]! * (1 - a) + 40 * a);
      }
    }
  }
}

/**
 * A contact sheet of items for a person to look at: each image scaled to fit a square thumbnail on a grey
 * ground, captioned with what it shows (label or content) and its font, `columns` to a row. Returns PNG bytes.
 */
export async function contactSheet(items: ShiftedItem[], columns = 10): Promise<Buffer> {
  const rows = Math.ceil(items.length / columns);
  const cw = THUMB + GAP;
  const ch = THUMB + CAPTION + GAP;
  const width = columns * cw + GAP;
  const height = rows * ch + GAP;
  const sheet = Buffer.alloc(width * height * 3, 200);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const x0 = GAP + (i % columns) * cw;
    const y0 = GAP + Math.floor(i / columns) * ch;
    const { data, info } = await sharp(item.image)
      .resize(THUMB, THUMB, { fit: 'contain', background: { r: 128, g: 128, b: 128 } })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    for (let y = 0; y < info.height; y++)
      data.copy(sheet, ((y0 + y) * width + x0) * 3, y * info.width * 3, (y + 1) * info.width * 3);
    for (let y = 0; y < CAPTION; y++)
      sheet.fill(245, ((y0 + THUMB + y) * width + x0) * 3, ((y0 + THUMB + y) * width + x0 + THUMB) * 3);
    const what = item.label !== null ? String(item.label) : item.content;
    drawText(sheet, width, x0 + 2, y0 + THUMB + 1, `${what} ${item.font ?? ''}`.trim(), 12, THUMB - 4);
  }
  return sharp(sheet, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
