import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@mserve/common';

const run = promisify(execFile);

describe('gateway modules', () => {
  it('load no tfjs module: the gateway reads model metadata only and never runs the model', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-imports-'));
    try {
      const probe = path.join(dir, 'probe.mts');
      const server = path.join(repoRoot(), 'apps/gateway/src/server.ts');
      writeFileSync(
        probe,
        [
          "import { createRequire } from 'node:module';",
          `await import(${JSON.stringify(server)});`,
          'const cache = createRequire(import.meta.url).cache;',
          "console.log(JSON.stringify(Object.keys(cache).filter((k) => k.includes('@tensorflow'))));",
        ].join('\n'),
      );
      const { stdout } = await run(process.execPath, ['--conditions=development', '--import', 'tsx', probe], {
        cwd: repoRoot(),
        timeout: 30_000,
      });
      expect(JSON.parse(stdout.trim().split('\n').pop() ?? 'null')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
