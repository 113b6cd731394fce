import path from 'node:path';
import { describeEnv, docSectionMatches, repoRoot, writeDocSection } from '@mserve/common';
import { gatewayEnvSpec } from '../src/config';

// The configuration tables of the root README and the gateway's are generated from the spec;
// `UPDATE_DOCS=1 pnpm jest readme-config` rewrites them after a variable changes.
describe.each(['README.md', 'apps/gateway/README.md'])('configuration table of %s', (file) => {
  const readme = path.join(repoRoot(), file);
  const table = describeEnv(gatewayEnvSpec);
  if (process.env['UPDATE_DOCS'] === '1') writeDocSection(readme, 'config-gateway', table);

  it('lists every variable the gateway reads with its default, unit and meaning', () => {
    expect(docSectionMatches(readme, 'config-gateway', table)).toBe(true);
  });
});
