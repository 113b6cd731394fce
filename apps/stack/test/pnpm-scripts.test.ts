import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './launch';

/** Runs `pnpm -s <script> ...` from the repository root as a user would; resolves with its exit code and streams. */
function pnpm(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      'pnpm',
      ['-s', ...args],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'debug' }, maxBuffer: 64 * 1024 * 1024 },
      (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

// The repository's commands as users type them: `pnpm <script> -- --flag` (pnpm passes the `--` on), and `--json`
// output that parses whatever the log level (logs go to stderr). Debug logging is on to make any stray line show.
describe('pnpm scripts', () => {
  it('model:check -- --json prints exactly one JSON document on stdout, with logs on stderr', async () => {
    const res = await pnpm(['model:check', '--', '--model', 'mnist_model', '--json']);
    expect(res.code).toBe(0);
    expect(res.err).toMatch(/"level":"debug"/);
    const report = JSON.parse(res.out) as { results: Array<{ metadata: { name: string } }> };
    expect(report.results.map((r) => r.metadata.name)).toEqual(['mnist_model']);
  }, 60_000);

  it('bench -- --out <dir> accepts its flags after the -- (re-rendering a report)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    try {
      copyFileSync(path.join(ROOT, 'reports/bench.json'), path.join(dir, 'bench.json'));
      const res = await pnpm(['bench', '--', '--render-only', '--out', dir]);
      expect(res.err).toBe('');
      expect(res.code).toBe(0);
      expect(readFileSync(path.join(dir, 'bench.md'), 'utf8')).toMatch(/^# Benchmark/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('cli -- predict --json reports a missing file on stderr and keeps stdout empty', async () => {
    const res = await pnpm(['cli', '--', 'predict', '/nonexistent/x.png', '--json']);
    expect(res.code).toBe(1);
    expect(res.out).toBe('');
    expect(res.err).toMatch(/no such file or folder: \/nonexistent\/x\.png/);
  }, 60_000);
});
