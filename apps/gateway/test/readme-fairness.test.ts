import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { docSectionMatches, repoRoot, writeDocSection } from '@mserve/common';

// The fair-share numbers of docs/design.md come from reports/tenant-fairness.json (`pnpm report:fairness`);
// `UPDATE_DOCS=1 pnpm jest readme-fairness` rewrites the block after a rerun.
const root = repoRoot();
const design = path.join(root, 'docs/design.md');
const reportFile = path.join(root, 'reports/tenant-fairness.json');

/** The block's text for `r` (the report), or a line saying it has not been measured. */
export function fairnessBlock(r: Record<string, unknown> | null): string {
  if (!r) return 'Not measured yet: run `pnpm report:fairness`.';
  return [
    `From \`${String(r['command'])}\` (reports/tenant-fairness.json, ${String(r['measuredAt'])}): the quiet tenant's jobs of 1 sample, ` +
      `4 at a time, alone and while the flooding tenant has ${String(r['floodJobs'])} jobs of 10 samples queued.`,
    '',
    '| quiet tenant | p50 | p99 |',
    '| --- | --- | --- |',
    `| alone | ${String(r['quietP50SoloMs'])} ms | ${String(r['quietP99SoloMs'])} ms |`,
    `| during the flood | ${String(r['quietP50DuringFloodMs'])} ms | ${String(r['quietP99DuringFloodMs'])} ms |`,
    '',
    `p99 ratio ${String(r['ratio'])} (target at most 2: ${r['withinTwoX'] ? 'met' : 'not met'}); the flood's last job was ` +
      `${String(r['lastFloodJobWhenMeasured'])} when the first quiet job sent after it had completed.`,
  ].join('\n');
}

describe('fair-share numbers in docs/design.md', () => {
  const report = existsSync(reportFile)
    ? (JSON.parse(readFileSync(reportFile, 'utf8')) as Record<string, unknown>)
    : null;
  const block = fairnessBlock(report);
  if (process.env['UPDATE_DOCS'] === '1') writeDocSection(design, 'tenant-fairness', block);

  it('quotes reports/tenant-fairness.json as it stands', () => {
    expect(docSectionMatches(design, 'tenant-fairness', block)).toBe(true);
  });
});
