import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** File extensions the CLI sends when it expands a folder. */
export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.gif', '.bmp', '.webp', '.tif', '.tiff']);

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile() && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) out.push(p);
  }
}

/**
 * Expands files and folders (recursively, images only, in natural order) into a list of files. A file named
 * explicitly is kept whatever its extension: the server decides whether it is an image.
 * @throws Error naming the first path that does not exist
 */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    let s;
    try {
      s = await stat(input);
    } catch {
      throw new Error(`no such file or folder: ${input}`);
    }
    if (s.isDirectory()) await walk(input, out);
    else out.push(input);
  }
  return [...new Set(out)];
}
