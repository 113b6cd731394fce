import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError, resolveAssetsDir } from '@mserve/common';
import { describeSavedModel, loadSavedModel } from './index';

const models = path.join(resolveAssetsDir(), 'models');
const MODELS = ['mnist_model', 'mnist_cnn', 'mnist_dropout'];

/** Every bare module specifier reached from `file` through relative imports (type-only imports excluded). */
function runtimeImports(file: string, seen = new Set<string>()): Set<string> {
  const bare = new Set<string>();
  if (seen.has(file)) return bare;
  seen.add(file);
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(/^import\s+(?!type\s)[^'"]*['"]([^'"]+)['"]/gm)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) {
      for (const b of runtimeImports(path.join(path.dirname(file), `${spec}.ts`), seen)) bare.add(b);
    } else {
      bare.add(spec);
    }
  }
  return bare;
}

describe('describeSavedModel', () => {
  it.each(MODELS)('reports exactly the name, dir, digest and input shape loadSavedModel reports for %s', async (m) => {
    const dir = path.join(models, m);
    const described = await describeSavedModel(dir);
    const loaded = await loadSavedModel(dir);
    const { name, dir: loadedDir, digest, inputShape } = loaded.metadata;
    loaded.dispose();
    expect(described).toEqual({ name, dir: loadedDir, digest, inputShape });
  });

  it('reaches no tfjs module, so describing a model never builds a network or starts a backend', () => {
    const imports = [...runtimeImports(path.join(__dirname, 'saved-model-description.ts'))];
    expect(imports.filter((s) => s.includes('tensorflow'))).toEqual([]);
    // The walk itself must see the loader's parsing modules, or it proves nothing.
    expect(imports).toContain('protobufjs');
  });

  it('takes a fraction of the time of a full load', async () => {
    const dir = path.join(models, 'mnist_cnn');
    await loadSavedModel(dir).then((m) => m.dispose()); // backend and module warm-up
    const t0 = performance.now();
    await describeSavedModel(dir);
    const describeMs = performance.now() - t0;
    const loaded = await loadSavedModel(dir);
    loaded.dispose();
    expect(describeMs).toBeLessThan(loaded.metadata.loadMs / 2);
  });

  it('fails with MODEL_LOAD_FAILED naming the directory when it is missing', async () => {
    const dir = path.join(os.tmpdir(), 'no-such-model-dir');
    const err = await describeSavedModel(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringContaining(dir) });
  });
});
