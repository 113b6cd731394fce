import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from './errors';

/** Where the shared assets live when `ASSETS_DIR` is unset, relative to the repository root. */
export const DEFAULT_ASSETS_DIR = '../shared';

/** Repository root: the nearest ancestor of this file holding `pnpm-workspace.yaml`. */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/**
 * Resolves the shared assets directory from `ASSETS_DIR` (relative paths are taken from the repository root, so
 * every script sees the same folder whatever its working directory). Fails with one line naming the variable.
 */
export function resolveAssetsDir(value: string | undefined = process.env['ASSETS_DIR']): string {
  const raw = value && value.length > 0 ? value : DEFAULT_ASSETS_DIR;
  const dir = path.resolve(repoRoot(), raw);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new AppError(
      'ASSETS_MISSING',
      `ASSETS_DIR: assets directory not found at ${dir} (set ASSETS_DIR to the folder holding models/ and data/)`,
    );
  }
  return dir;
}

/** Path of a file or folder inside the assets directory; fails naming `ASSETS_DIR` when it is absent. */
export function assetPath(rel: string, assetsDir: string = resolveAssetsDir()): string {
  const p = path.join(assetsDir, rel);
  if (!existsSync(p)) {
    throw new AppError('ASSETS_MISSING', `ASSETS_DIR: ${rel} not found under ${assetsDir} (check ASSETS_DIR)`);
  }
  return p;
}
