import path from 'node:path';
import { describeEnv, docSectionMatches, repoRoot, writeDocSection } from '@mserve/common';
import { notifierEnvSpec } from '../src/config';

// The root README's configuration table is generated from the spec; `UPDATE_DOCS=1 pnpm jest readme-config`
// rewrites it after a variable changes.
describe('root README configuration table for the notifier', () => {
  const readme = path.join(repoRoot(), 'README.md');
  const table = describeEnv(notifierEnvSpec);
  if (process.env['UPDATE_DOCS'] === '1') writeDocSection(readme, 'config-notifier', table);

  it('lists every variable the notifier reads with its default, unit and meaning', () => {
    expect(docSectionMatches(readme, 'config-notifier', table)).toBe(true);
  });
});
