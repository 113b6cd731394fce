import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { docSectionMatches, writeDocSection } from './doc-sections';

describe('generated doc sections', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'doc-')), 'README.md');
  const table = '| a | b |\n| --- | --- |\n| `X` | 1 |';

  it('rewrites only the block between the markers', () => {
    writeFileSync(file, 'intro\n<!-- generated:x -->\nold\n<!-- /generated:x -->\noutro\n');
    expect(docSectionMatches(file, 'x', table)).toBe(false);
    expect(writeDocSection(file, 'x', table)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(`intro\n<!-- generated:x -->\n${table}\n<!-- /generated:x -->\noutro\n`);
    expect(docSectionMatches(file, 'x', table)).toBe(true);
  });

  it('treats a prettier-aligned table as equal to its unaligned source but not a changed cell', () => {
    writeFileSync(file, '<!-- generated:x -->\n| a   | b   |\n| --- | --- |\n| `X` | 1   |\n<!-- /generated:x -->\n');
    expect(docSectionMatches(file, 'x', table)).toBe(true);
    expect(docSectionMatches(file, 'x', table.replace('1', '2'))).toBe(false);
  });

  it('says false when the markers are missing', () => {
    writeFileSync(file, 'no markers');
    expect(docSectionMatches(file, 'x', table)).toBe(false);
    expect(writeDocSection(file, 'x', table)).toBe(false);
  });
});
