import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@mserve/common';
import type { PreprocessApi } from './preprocess-corpus';

/**
 * The commit whose preprocessing the committed calibration was fitted with (and the equivalence digests taken
 * from): the last one before the preprocessing was made faster. (The `oneFlag` step is off by default, so the
 * default outputs are still that commit's.)
 */
export const REFERENCE_COMMIT = '5db9b8f';

/**
 * Loads `packages/preprocess/src` as it was at `commit` (extracted with `git archive` into a temporary directory
 * that resolves its dependencies through this checkout's `packages/preprocess/node_modules`), so that the old and
 * the new implementation can run side by side in one process on the same inputs. Needs the git history and a
 * TypeScript loader (tsx), as the pnpm scripts have.
 */
export async function loadReference(commit: string = REFERENCE_COMMIT): Promise<PreprocessApi> {
  const root = repoRoot();
  const full = execFileSync('git', ['rev-parse', '--verify', `${commit}^{commit}`], { cwd: root })
    .toString()
    .trim();
  const dir = path.join(os.tmpdir(), `mserve-preprocess-reference-${full}`);
  const entry = path.join(dir, 'src', 'index.ts');
  if (!existsSync(entry)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', full, 'packages/preprocess/src'], {
      cwd: root,
      maxBuffer: 64 << 20,
    });
    execFileSync('tar', ['-x', '--strip-components=2', '-C', dir], { input: tar });
    symlinkSync(path.join(root, 'packages', 'preprocess', 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  }
  return (await import(entry)) as PreprocessApi;
}
