/**
 * `describeSavedModel`: what a process that never runs the model (the gateway) needs to know of it — name, digest
 * and input shape — read with the loader's own metadata parsing and digest, without tfjs or the checkpoint.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '@mserve/common';
import { modelDigest } from './digest';
import { GraphError, parseModelConfig } from './keras-graph';
import { MetadataError, readKerasMetadata } from './keras-metadata';
import type { ModelMetadata } from './types';

/** The part of {@link ModelMetadata} known without building the network: equal to what `loadSavedModel` reports. */
export type SavedModelDescription = Pick<ModelMetadata, 'name' | 'dir' | 'digest' | 'inputShape'>;

function fail(dir: string, reason: string, cause?: unknown): AppError {
  return new AppError('MODEL_LOAD_FAILED', `cannot load model ${dir}: ${reason}`, { dir }, { cause });
}

/**
 * Reads the name, digest and per-example input shape of the Keras SavedModel in `dir` from its metadata
 * (`keras_metadata.pb` or the object graph of `saved_model.pb`) and file contents. Builds no network and verifies no
 * weights: a model it describes may still fail `loadSavedModel` (an unsupported layer, a corrupt checkpoint).
 * Throws AppError('MODEL_LOAD_FAILED') naming `dir`, like the loader.
 */
export async function describeSavedModel(dir: string): Promise<SavedModelDescription> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw fail(dir, 'directory not found');
  for (const rel of ['saved_model.pb', 'variables/variables.index']) {
    if (!existsSync(path.join(dir, rel))) throw fail(dir, `missing file ${rel}`);
  }
  try {
    const [meta, digest] = await Promise.all([readKerasMetadata(dir), modelDigest(dir)]);
    const graph = parseModelConfig(meta.modelConfig);
    return { name: path.basename(path.resolve(dir)), dir: path.resolve(dir), digest, inputShape: graph.inputShape };
  } catch (e) {
    if (e instanceof MetadataError || e instanceof GraphError) throw fail(dir, e.message, e);
    throw fail(dir, `unexpected error: ${(e as Error).message ?? String(e)}`, e);
  }
}
