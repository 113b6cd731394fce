import path from 'node:path';
import { describeEnv, docSectionMatches, repoRoot, writeDocSection } from '@mserve/common';
import { notifierEnvSpec } from '../src/config';

// The configuration tables of the root README and of the notifier's README are generated from the spec;
// `UPDATE_DOCS=1 pnpm jest readme-config` rewrites them after a variable changes.
describe('README configuration tables for the notifier', () => {
  const readmes = [path.join(repoRoot(), 'README.md'), path.join(repoRoot(), 'apps/notifier/README.md')];
  const table = describeEnv(notifierEnvSpec);
  if (process.env['UPDATE_DOCS'] === '1') for (const r of readmes) writeDocSection(r, 'config-notifier', table);

  it.each(readmes)('%s lists every variable the notifier reads with its default, unit and meaning', (readme) => {
    expect(docSectionMatches(readme, 'config-notifier', table)).toBe(true);
  });
});
