import { createHash } from 'node:crypto';
import { detectImageType } from '@mserve/preprocess';
import sharp from 'sharp';
import { generateBenchmark, listItems, NEAR_OOD_CHARS } from './benchmark';
import { FONTS, fontsOf, loadFont } from './fonts';
import type { ShiftedItem } from './item';
import { LOOKS } from './looks';
import { glyphShape } from './outline';

const SMALL = { digitsPerLook: 3, nearOodPerLook: 2, farOodPerLook: 6 };

function digest(items: ShiftedItem[]): string {
  const hash = createHash('sha256');
  for (const item of items) hash.update(item.image);
  return hash.digest('hex');
}

describe('fonts', () => {
  it('splits the fonts in two disjoint halves, each with handwriting and print faces', () => {
    const fit = new Set(fontsOf('fit').map((f) => f.id));
    const evalFonts = fontsOf('eval');
    expect(evalFonts.filter((f) => fit.has(f.id))).toEqual([]);
    for (const split of ['fit', 'eval'] as const) {
      const fonts = fontsOf(split);
      expect(fonts.length).toBeGreaterThanOrEqual(10);
      expect(fonts.filter((f) => f.style === 'handwriting').length).toBeGreaterThanOrEqual(6);
      expect(fonts.filter((f) => f.style === 'print').length).toBeGreaterThanOrEqual(4);
    }
  });

  it.each(FONTS.map((f) => f.id))('%s installs with an outline for every digit', (id) => {
    const font = loadFont(id);
    for (let d = 0; d <= 9; d++) expect(glyphShape(font, String(d))).not.toBeNull();
  });
});

describe('listItems', () => {
  it('draws the digits of the evaluation split only from evaluation fonts, and of the fit split from fit fonts', () => {
    for (const split of ['fit', 'eval'] as const) {
      const allowed = new Set(fontsOf(split).map((f) => f.id));
      const specs = listItems({ split });
      const used = new Set(specs.filter((s) => s.font !== null).map((s) => s.font));
      expect([...used].filter((f) => !allowed.has(f!))).toEqual([]);
    }
  });

  it('shows every (font, digit) pair exactly once per look at the default size', () => {
    const specs = listItems({ split: 'eval' }).filter((s) => s.kind === 'digit');
    for (const look of LOOKS) {
      const pairs = specs.filter((s) => s.look === look).map((s) => `${s.font}/${s.label}`);
      expect(new Set(pairs).size).toBe(pairs.length);
      expect(pairs).toHaveLength(fontsOf('eval').length * 10);
    }
  });

  it('labels digits with the digit drawn, and everything else with null', () => {
    for (const s of listItems({ split: 'fit', ...SMALL, nearOodPerLook: 40 })) {
      if (s.kind === 'digit') expect(s.content).toBe(String(s.label));
      else expect(s.label).toBeNull();
      if (s.kind === 'near-ood') expect(s.content).not.toMatch(/^[0-9]$/);
    }
  });

  it('keeps near-OOD characters clear of letters that pass for digits', () => {
    for (const c of 'OoIlZSBGqgbT0123456789') expect(NEAR_OOD_CHARS).not.toContain(c);
  });

  it('gives every item its own seed, and the same seeds for the same options', () => {
    const a = listItems({ split: 'eval', seed: 7 });
    expect(new Set(a.map((s) => s.seed)).size).toBe(a.length);
    expect(listItems({ split: 'eval', seed: 7 })).toEqual(a);
    expect(listItems({ split: 'eval', seed: 8 }).map((s) => s.seed)).not.toEqual(a.map((s) => s.seed));
  });
});

describe('generateBenchmark', () => {
  let items: ShiftedItem[];
  beforeAll(async () => {
    items = await generateBenchmark({ split: 'eval', seed: 3, ...SMALL });
  }, 60_000);

  it('renders the same bytes from the same seed, and other bytes from another seed', async () => {
    // Seeds depend on the item's place, not on which looks are asked for: a subset renders the same items.
    const looks = ['lined-paper', 'chalkboard', 'screen-crop'] as const;
    const subset = items.filter((i) => (looks as readonly string[]).includes(i.look));
    const again = await generateBenchmark({ split: 'eval', seed: 3, ...SMALL, looks });
    expect(digest(again)).toBe(digest(subset));
    const other = await generateBenchmark({ split: 'eval', seed: 4, ...SMALL, looks });
    expect(digest(other)).not.toBe(digest(subset));
  }, 60_000);

  it('encodes every item as the upload a client would send, of the size it claims', async () => {
    expect(items).toHaveLength(LOOKS.length * (SMALL.digitsPerLook + SMALL.nearOodPerLook + SMALL.farOodPerLook));
    for (const item of items) {
      expect(detectImageType(item.image)?.format).toBe(item.format);
      const meta = await sharp(item.image).metadata();
      expect([meta.width, meta.height]).toEqual([item.width, item.height]);
    }
  });

  it('covers every look, and every kind within each look', () => {
    for (const look of LOOKS) {
      const kinds = new Set(items.filter((i) => i.look === look).map((i) => i.kind));
      expect([...kinds].sort()).toEqual(['digit', 'far-ood', 'near-ood']);
    }
  });
});
