import { readFileSync } from 'node:fs';
import { parse, type Font } from 'opentype.js';

/** Which half of the benchmark a font belongs to: fonts used for fitting never appear in the evaluation. */
export type Split = 'fit' | 'eval';

/** A typeface the benchmark draws from, shipped by a `@fontsource/<id>` package. */
export interface FontSpec {
  /** The fontsource package name without its scope, e.g. `caveat`. */
  id: string;
  family: string;
  /** Handwriting-style (script, marker, casual) or print (sans, serif, mono). */
  style: 'handwriting' | 'print';
  split: Split;
}

/**
 * The fonts of each split (README lists them). Chosen so both splits hold a similar mix: about two thirds
 * handwriting-style fonts of different pens and hands, one third print faces (sans, serif, condensed, mono).
 * Faces whose default figures are old-style (descending 3, 4, 5, 7, 9) are left out: nobody writes digits so.
 */
export const FONTS: readonly FontSpec[] = Object.freeze([
  // fit
  { id: 'caveat', family: 'Caveat', style: 'handwriting', split: 'fit' },
  { id: 'kalam', family: 'Kalam', style: 'handwriting', split: 'fit' },
  { id: 'patrick-hand', family: 'Patrick Hand', style: 'handwriting', split: 'fit' },
  { id: 'indie-flower', family: 'Indie Flower', style: 'handwriting', split: 'fit' },
  { id: 'shadows-into-light', family: 'Shadows Into Light', style: 'handwriting', split: 'fit' },
  { id: 'gochi-hand', family: 'Gochi Hand', style: 'handwriting', split: 'fit' },
  { id: 'nanum-pen-script', family: 'Nanum Pen Script', style: 'handwriting', split: 'fit' },
  { id: 'architects-daughter', family: 'Architects Daughter', style: 'handwriting', split: 'fit' },
  { id: 'rock-salt', family: 'Rock Salt', style: 'handwriting', split: 'fit' },
  { id: 'neucha', family: 'Neucha', style: 'handwriting', split: 'fit' },
  { id: 'roboto', family: 'Roboto', style: 'print', split: 'fit' },
  { id: 'open-sans', family: 'Open Sans', style: 'print', split: 'fit' },
  { id: 'merriweather', family: 'Merriweather', style: 'print', split: 'fit' },
  { id: 'oswald', family: 'Oswald', style: 'print', split: 'fit' },
  { id: 'roboto-mono', family: 'Roboto Mono', style: 'print', split: 'fit' },
  { id: 'pt-serif', family: 'PT Serif', style: 'print', split: 'fit' },
  { id: 'work-sans', family: 'Work Sans', style: 'print', split: 'fit' },
  { id: 'courier-prime', family: 'Courier Prime', style: 'print', split: 'fit' },
  // eval
  { id: 'gloria-hallelujah', family: 'Gloria Hallelujah', style: 'handwriting', split: 'eval' },
  { id: 'reenie-beanie', family: 'Reenie Beanie', style: 'handwriting', split: 'eval' },
  { id: 'homemade-apple', family: 'Homemade Apple', style: 'handwriting', split: 'eval' },
  { id: 'covered-by-your-grace', family: 'Covered By Your Grace', style: 'handwriting', split: 'eval' },
  { id: 'handlee', family: 'Handlee', style: 'handwriting', split: 'eval' },
  { id: 'schoolbell', family: 'Schoolbell', style: 'handwriting', split: 'eval' },
  { id: 'sue-ellen-francisco', family: 'Sue Ellen Francisco', style: 'handwriting', split: 'eval' },
  { id: 'short-stack', family: 'Short Stack', style: 'handwriting', split: 'eval' },
  { id: 'itim', family: 'Itim', style: 'handwriting', split: 'eval' },
  { id: 'permanent-marker', family: 'Permanent Marker', style: 'handwriting', split: 'eval' },
  { id: 'mansalva', family: 'Mansalva', style: 'handwriting', split: 'eval' },
  { id: 'lato', family: 'Lato', style: 'print', split: 'eval' },
  { id: 'inter', family: 'Inter', style: 'print', split: 'eval' },
  { id: 'source-serif-4', family: 'Source Serif 4', style: 'print', split: 'eval' },
  { id: 'fira-sans', family: 'Fira Sans', style: 'print', split: 'eval' },
  { id: 'ibm-plex-mono', family: 'IBM Plex Mono', style: 'print', split: 'eval' },
  { id: 'noto-serif', family: 'Noto Serif', style: 'print', split: 'eval' },
  { id: 'ubuntu', family: 'Ubuntu', style: 'print', split: 'eval' },
] satisfies FontSpec[]);

/** The fonts of one split, in table order. */
export function fontsOf(split: Split): FontSpec[] {
  return FONTS.filter((f) => f.split === split);
}

const cache = new Map<string, Font>();

/**
 * The parsed regular (400, upright) Latin face of a font, read from its fontsource package (WOFF, which
 * opentype.js parses; fontsource's WOFF2 it does not). Parsed once per process.
 */
export function loadFont(id: string): Font {
  const hit = cache.get(id);
  if (hit) return hit;
  const file = require.resolve(`@fontsource/${id}/files/${id}-latin-400-normal.woff`);
  const bytes = readFileSync(file);
  const font = parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  cache.set(id, font);
  return font;
}
