import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

async function listFiles(dir: string, rel = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...(await listFiles(dir, r)));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/**
 * Content digest of a model directory, `sha256:<hex>`, used as the model version everywhere. Covers every file's
 * relative POSIX path, length and bytes in sorted path order, so renaming, adding or changing any file changes it
 * while copying the directory elsewhere does not.
 */
export async function modelDigest(dir: string): Promise<string> {
  const files = (await listFiles(dir)).sort();
  const hash = createHash('sha256');
  for (const rel of files) {
    const bytes = await readFile(path.join(dir, rel));
    hash.update(`${rel}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return `sha256:${hash.digest('hex')}`;
}
