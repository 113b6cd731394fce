/**
 * Extracts the Keras model config and the checkpoint-name → layer-name map from a SavedModel directory:
 * TF >= 2.5 writes them to `keras_metadata.pb`; TF 2.4 keeps them in the object graph of `saved_model.pb`
 * (SavedObject.user_object.metadata).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeKerasMetadata, decodeSavedModel } from './proto';

/** What the loader needs from the Keras metadata. */
export interface KerasMetadata {
  /** `{class_name, config}` of the model, tuples already turned into arrays. */
  modelConfig: { class_name: string; config: unknown };
  /** Direct child name of the root object (`layer_with_weights-0`, `layer-2`, ...) → Keras layer name. */
  childLayerNames: Map<string, string>;
  source: 'keras_metadata.pb' | 'saved_model.pb';
}

/** A failure with a reason; the loader prefixes the model directory. */
export class MetadataError extends Error {}

const KERAS_MODEL_IDENTIFIERS = new Set(['_tf_keras_model', '_tf_keras_network', '_tf_keras_sequential']);

/**
 * Keras' SavedModel JSON encodes tuples as `{"class_name": "__tuple__", "items": [...]}`; the layer configs
 * want plain arrays.
 */
export function untuple(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untuple);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (obj['class_name'] === '__tuple__' && Array.isArray(obj['items'])) return obj['items'].map(untuple);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = untuple(v);
    return out;
  }
  return value;
}

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new MetadataError(`${what} is not valid JSON`);
  }
}

interface MetaNode {
  path: string;
  identifier: string;
  metadata: string;
}

function fromNodes(nodes: MetaNode[], source: KerasMetadata['source']): KerasMetadata {
  const root = nodes.find((n) => n.path === 'root');
  if (!root || !KERAS_MODEL_IDENTIFIERS.has(root.identifier) || root.metadata === '') {
    throw new MetadataError(`${source} holds no Keras model metadata (not saved with model.save())`);
  }
  const meta = parseJson(root.metadata, `Keras metadata of the root object in ${source}`);
  const mc = meta['model_config'] as { class_name?: unknown; config?: unknown } | undefined;
  if (!mc || typeof mc.class_name !== 'string' || mc.config === undefined) {
    throw new MetadataError(
      `${source} has Keras metadata without a model_config (subclassed models are not supported)`,
    );
  }
  const childLayerNames = new Map<string, string>();
  for (const n of nodes) {
    const m = /^root\.([^.]+)$/.exec(n.path);
    if (!m || n.metadata === '' || !n.identifier.startsWith('_tf_keras_')) continue;
    const name = parseJson(n.metadata, `Keras metadata of ${n.path}`)['name'];
    if (typeof name === 'string') childLayerNames.set(m[1]!, name);
  }
  return { modelConfig: untuple(mc) as KerasMetadata['modelConfig'], childLayerNames, source };
}

/** Reads the Keras metadata of the SavedModel in `dir`, preferring `keras_metadata.pb` when present. */
export async function readKerasMetadata(dir: string): Promise<KerasMetadata> {
  const kerasFile = path.join(dir, 'keras_metadata.pb');
  if (existsSync(kerasFile)) {
    const msg = decodeKerasMetadata(await readFile(kerasFile));
    const nodes = msg.nodes.map((n) => ({ path: n.node_path, identifier: n.identifier, metadata: n.metadata }));
    return fromNodes(nodes, 'keras_metadata.pb');
  }
  const pb = await readFile(path.join(dir, 'saved_model.pb'));
  const sm = decodeSavedModel(pb);
  const graph = sm.meta_graphs[0]?.object_graph_def;
  if (!graph || graph.nodes.length === 0) throw new MetadataError('saved_model.pb has no object graph (TF1 model?)');
  // TF 2.4 stores metadata on the nodes themselves; only the root's direct children matter for weight keys.
  const nodes: MetaNode[] = [];
  const rootNode = graph.nodes[0]!;
  nodes.push({
    path: 'root',
    identifier: rootNode.user_object?.identifier ?? '',
    metadata: rootNode.user_object?.metadata ?? '',
  });
  for (const c of rootNode.children) {
    const child = graph.nodes[c.node_id];
    if (!child?.user_object) continue;
    nodes.push({
      path: `root.${c.local_name}`,
      identifier: child.user_object.identifier,
      metadata: child.user_object.metadata,
    });
  }
  return fromNodes(nodes, 'saved_model.pb');
}
