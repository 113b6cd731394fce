import path from 'node:path';
import { docSectionMatches, repoRoot, writeDocSection } from '@mserve/common';
import { servingSection, uncertaintySection } from '../src/design';

// docs/design.md quotes reports/bench.json and reports/eval.json through generated sections;
// `UPDATE_DOCS=1 pnpm jest design-doc` rewrites them after `pnpm bench` or `pnpm eval`.
describe('docs/design.md measured numbers', () => {
  const root = repoRoot();
  const doc = path.join(root, 'docs/design.md');
  const reports = path.join(root, 'reports');
  const sections = { serving: servingSection(reports), uncertainty: uncertaintySection(reports) };
  if (process.env['UPDATE_DOCS'] === '1') for (const [k, v] of Object.entries(sections)) writeDocSection(doc, k, v);

  it('quotes the benchmark exactly as reports/bench.json has it', () => {
    expect(docSectionMatches(doc, 'serving', sections.serving)).toBe(true);
  });

  it('quotes the uncertainty evaluation exactly as reports/eval.json has it', () => {
    expect(docSectionMatches(doc, 'uncertainty', sections.uncertainty)).toBe(true);
  });
});
