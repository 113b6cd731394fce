/**
 * Reading a model repository: a folder in TF Serving's layout (`<name>/<version>/saved_model.pb`) or a JSON file
 * naming, per model, its versions' folders (how the repository's default, `model-repository.json`, points at the
 * shared models without copying them). Plain functions over the file system; nothing here loads a model.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '@mserve/common';

/** Model names the repository accepts (the same rule as `MODEL_NAME_RE` of @mserve/contracts, which names queues). */
export const MODEL_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** One version folder of the repository. */
export interface RepositoryVersion {
  version: number;
  dir: string;
  /**
   * Names and sizes of the folder's files: a version is read only once two scans agree, so a version still being
   * copied in is not read half-written.
   */
  signature: string;
}

/** One model of the repository with its versions, oldest first. */
export interface RepositoryModelListing {
  name: string;
  versions: RepositoryVersion[];
}

/** What a repository holds. */
export interface RepositoryListing {
  models: RepositoryModelListing[];
  /** The model of requests naming none. */
  defaultModel: string;
  /** Where it was read from. */
  location: string;
}

const VERSION_RE = /^[1-9][0-9]{0,8}$/;

/** Names and sizes of the files under `dir` (recursively), as one string. */
export function folderSignature(dir: string): string {
  const parts: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full, `${rel}${e.name}/`);
      else parts.push(`${rel}${e.name}:${st.size}`);
    }
  };
  try {
    walk(dir, '');
  } catch {
    return '';
  }
  return parts.join(',');
}

function listVersions(modelDir: string): RepositoryVersion[] {
  return readdirSync(modelDir, { withFileTypes: true })
    .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && VERSION_RE.test(e.name))
    .map((e) => {
      const dir = path.join(modelDir, e.name);
      return { version: Number(e.name), dir, signature: folderSignature(dir) };
    })
    .filter((v) => statSync(v.dir).isDirectory())
    .sort((a, b) => a.version - b.version);
}

/** A repository folder in TF Serving's layout; folders whose names are no model or version name are skipped. */
export function readRepositoryFolder(root: string, defaultModel: string): RepositoryListing {
  const models = readdirSync(root, { withFileTypes: true })
    .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && MODEL_NAME_RE.test(e.name))
    .map((e) => ({ name: e.name, versions: listVersions(path.join(root, e.name)) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { models, defaultModel: pickDefault(models, defaultModel), location: root };
}

/** The shape of a repository file (`model-repository.json`). */
export interface RepositoryFile {
  /** The model of requests naming none (default: `mnist_model` when present, else the first). */
  default?: string;
  /** Per model: version number → folder, relative to `ASSETS_DIR` unless absolute. */
  models: Record<string, { versions: Record<string, string> }>;
}

function badFile(file: string, why: string): AppError {
  return new AppError('VALIDATION_FAILED', `model repository ${file}: ${why}`);
}

/** A repository file; version folders resolve against `assetsDir`. */
export function readRepositoryFile(file: string, assetsDir: string, defaultModel: string): RepositoryListing {
  let parsed: RepositoryFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as RepositoryFile;
  } catch (e) {
    throw badFile(file, `not JSON (${(e as Error).message})`);
  }
  if (!parsed || typeof parsed.models !== 'object') throw badFile(file, 'no "models" object');
  const models = Object.entries(parsed.models).map(([name, entry]) => {
    if (!MODEL_NAME_RE.test(name)) throw badFile(file, `model name ${JSON.stringify(name)} is not [A-Za-z0-9_-]`);
    const versions = Object.entries(entry?.versions ?? {}).map(([v, rel]) => {
      if (!VERSION_RE.test(v)) throw badFile(file, `version ${JSON.stringify(v)} of ${name} is no positive integer`);
      const dir = path.resolve(assetsDir, rel);
      return { version: Number(v), dir, signature: folderSignature(dir) };
    });
    return { name, versions: versions.sort((a, b) => a.version - b.version) };
  });
  return { models, defaultModel: pickDefault(models, parsed.default ?? defaultModel), location: file };
}

function pickDefault(models: RepositoryModelListing[], wanted: string): string {
  if (models.some((m) => m.name === wanted)) return wanted;
  return models[0]?.name ?? wanted;
}

/** A repository folder or file, whichever `location` is. */
export function readRepository(location: string, assetsDir: string, defaultModel = 'mnist_model'): RepositoryListing {
  if (!existsSync(location)) throw badFile(location, 'not found');
  return statSync(location).isDirectory()
    ? readRepositoryFolder(location, defaultModel)
    : readRepositoryFile(location, assetsDir, defaultModel);
}

/** A repository of one model folder (the `MODEL_DIR` setting of a single-model deployment), as version 1. */
export function singleModelRepository(dir: string, name = path.basename(path.resolve(dir))): RepositoryListing {
  const abs = path.resolve(dir);
  return {
    models: [{ name, versions: [{ version: 1, dir: abs, signature: folderSignature(abs) }] }],
    defaultModel: name,
    location: abs,
  };
}
