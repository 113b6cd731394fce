import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@mserve/common';

/**
 * Measured numbers reach the README and the design document only through generated blocks, which other tests
 * check against reports/*.json; a figure typed into the prose goes stale at the next run. This finds quantities
 * with a unit of measure outside those blocks (and outside code), other than the stated targets and settings.
 */
const DOCS = ['README.md', 'docs/design.md'];
/** Targets and configured values, not measurements: they change only when the design does. */
const STATED = new Set(['50 ms', '100 req/s', '70%', '60%', '20%', '10%', '5%', '2%', '1%', '99.5%']);
const QUANTITY = /\b\d[\d,.]*\s?(?:ms|req\/s|MiB|MB|KB|kB|bytes|%)(?![\w/])/g;

function prose(text: string): string {
  return text
    .replace(/<!-- generated:(\S+) -->[\s\S]*?<!-- \/generated:\1 -->/g, '')
    .replace(/```[\s\S]*?```/g, '')
    .replace(/`[^`\n]*`/g, '');
}

describe('numbers in the README and the design document', () => {
  it.each(DOCS)('%s states measured quantities only inside generated blocks', (doc) => {
    const text = prose(readFileSync(path.join(repoRoot(), doc), 'utf8'));
    const typed = [...text.matchAll(QUANTITY)].map((m) => m[0]).filter((q) => !STATED.has(q));
    expect(typed).toEqual([]);
  });

  it('notices a measured figure typed into prose (the check can fail)', () => {
    expect(
      prose('p99 was 11.5 ms and 2962 req/s\n<!-- generated:x -->\n9 ms\n<!-- /generated:x -->').match(QUANTITY),
    ).toEqual(['11.5 ms', '2962 req/s']);
  });
});
