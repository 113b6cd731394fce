import path from 'node:path';
import { docSectionMatches, repoRoot, writeDocSection } from '@mserve/common';
import { exampleAnswerSection, sharedImagesSection } from '../src/examples';

// The README's example answer and its table of the shared images are what the client end-to-end test recorded in
// reports/client-e2e.json (`REPORTS=1 pnpm jest packages/client/test/e2e.test.ts`, then
// `UPDATE_DOCS=1 pnpm jest readme-examples`).
describe('root README examples', () => {
  const root = repoRoot();
  const readme = path.join(root, 'README.md');
  const reports = path.join(root, 'reports');
  const sections = { 'example-answer': exampleAnswerSection(reports), 'shared-images': sharedImagesSection(reports) };
  if (process.env['UPDATE_DOCS'] === '1') for (const [k, v] of Object.entries(sections)) writeDocSection(readme, k, v);

  it("shows the service's real answer to the example request", () => {
    expect(sections['example-answer']).toContain('"prediction": 1');
    expect(docSectionMatches(readme, 'example-answer', sections['example-answer'])).toBe(true);
  });

  it('shows what the service answers for each shared image, with the digit each MNIST file really shows', () => {
    expect(docSectionMatches(readme, 'shared-images', sections['shared-images'])).toBe(true);
  });

  it('says a report is missing instead of inventing an answer', () => {
    expect(sharedImagesSection(path.join(root, 'no-such-reports'))).toContain('report missing');
  });
});
