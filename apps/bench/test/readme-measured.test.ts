import path from 'node:path';
import { docSectionMatches, repoRoot, writeDocSection } from '@mserve/common';
import { measuredSummary } from '../src/summary';

// The README's "Measured" section is generated from reports/*.json; `UPDATE_DOCS=1 pnpm jest readme-measured`
// rewrites it after a report command ran.
describe('root README measured numbers', () => {
  const root = repoRoot();
  const readme = path.join(root, 'README.md');
  const summary = measuredSummary(path.join(root, 'reports'));
  if (process.env['UPDATE_DOCS'] === '1') writeDocSection(readme, 'measured', summary);

  it('quotes exactly what the committed reports say', () => {
    expect(docSectionMatches(readme, 'measured', summary)).toBe(true);
  });

  it('says a report is missing instead of inventing its numbers', () => {
    expect(measuredSummary(path.join(root, 'no-such-reports'))).toContain('report missing');
  });
});
