import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { docSectionMatches, repoRoot, writeDocSection } from '@mserve/common';
import { rolloutMarkdown, type RolloutReport } from './rollout-report';

// The README's rollout numbers come from reports/rollout.json (`REPORTS=1 pnpm test:rollout`);
// `UPDATE_DOCS=1 pnpm jest readme-rollout` rewrites the block after a rerun.
const root = repoRoot();
const readme = path.join(root, 'README.md');
const reportFile = path.join(root, 'reports/rollout.json');

describe('rollout numbers in the README', () => {
  const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as RolloutReport) : null;
  // An older report (before the phases carried latencies) renders as not measured rather than half a table.
  const block = rolloutMarkdown(report && 'calibratedInBackground' in report ? report : null);
  if (process.env['UPDATE_DOCS'] === '1') writeDocSection(readme, 'rollout', block);

  it('quotes reports/rollout.json as it stands', () => {
    expect(docSectionMatches(readme, 'rollout', block)).toBe(true);
  });
});
