import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fontsOf } from './fonts';

/** Font families of the table after a `<!-- fonts:<split> -->` marker in the README. */
function readmeFonts(split: string): string[] {
  const text = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const after = text.split(`<!-- fonts:${split} -->`)[1] ?? '';
  const rows = after.split('\n\n').find((block) => block.trim().startsWith('|')) ?? '';
  return rows
    .split('\n')
    .slice(2)
    .map((line) => line.split('|')[1]?.trim() ?? '')
    .filter(Boolean);
}

describe('README', () => {
  it.each(['fit', 'eval'] as const)('lists the %s fonts exactly as the benchmark uses them', (split) => {
    expect(readmeFonts(split)).toEqual(fontsOf(split).map((f) => `${f.family}`));
  });
});
