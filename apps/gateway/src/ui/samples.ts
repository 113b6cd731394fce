import { readdir } from 'node:fs/promises';
import { assetPath } from '@mserve/common';

/** File names the gallery lists: the shared sample uploads (file names of digits are MNIST indices, not labels). */
export const SAMPLE_NAME_RE = /^[\w.-]+\.(png|jpe?g)$/i;

/** One gallery entry. */
export interface SampleImage {
  name: string;
  url: string;
}

/** The folder of the shared sample images (`<ASSETS_DIR>/data/images`), or null when the assets have none. */
export function samplesDir(): string | null {
  try {
    return assetPath('data/images');
  } catch {
    return null;
  }
}

/**
 * The sample images of `dir`, sorted by name, each with the playground URL that serves it; an absent folder is an
 * empty gallery (a deployment without the shared data still serves the playground).
 */
export async function listSamples(dir: string | null, urlBase: string): Promise<SampleImage[]> {
  const names = dir ? await readdir(dir).catch(() => [] as string[]) : [];
  return names
    .filter((n) => SAMPLE_NAME_RE.test(n))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((name) => ({ name, url: `${urlBase}/${encodeURIComponent(name)}` }));
}
