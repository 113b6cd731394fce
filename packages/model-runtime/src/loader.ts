/**
 * `loadSavedModel`: Keras SavedModel directory → a tfjs network with the checkpoint's weights, its metadata, the
 * last Dense layer's parameters and a batched `predict`. Every failure is one AppError('MODEL_LOAD_FAILED') that
 * names the model directory and, where it applies, the layer or file.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { AppError, createLogger } from '@mserve/common';
import { initBackend } from './backend';
import { BundleError, readBundle, toFloat32, type BundleTensor } from './bundle';
import { modelDigest } from './digest';
import { GraphError, parseModelConfig, type GraphNode, type ModelGraph } from './keras-graph';
import { MetadataError, readKerasMetadata } from './keras-metadata';
import { createLayer, isSupportedLayer, LayerError, SUPPORTED_LAYERS } from './layers';
import { Network } from './network';
import { makePredict } from './predict';
import type { DropoutInfo, LastDense, LoadedModel, LoadOptions, ModelMetadata } from './types';
import { groupLayerWeights, type LayerWeights } from './weights';

const KNOWN_ERRORS = [BundleError, GraphError, MetadataError, LayerError];

function fail(dir: string, reason: string, cause?: unknown): AppError {
  return new AppError('MODEL_LOAD_FAILED', `cannot load model ${dir}: ${reason}`, { dir }, { cause });
}

function requireFiles(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw fail(dir, 'directory not found');
  for (const rel of ['saved_model.pb', 'variables/variables.index']) {
    if (!existsSync(path.join(dir, rel))) throw fail(dir, `missing file ${rel}`);
  }
}

function checkClasses(dir: string, graph: ModelGraph): void {
  for (const node of graph.nodes) {
    if (!isSupportedLayer(node.className)) {
      throw fail(
        dir,
        `layer "${node.name}" has unsupported class ${node.className} (supported: ${SUPPORTED_LAYERS.join(', ')})`,
      );
    }
    if (node.inputs.length > 1)
      throw fail(dir, `layer "${node.name}" has ${node.inputs.length} inputs; only chains are supported`);
  }
}

/** Dropout layers, and whether each one feeds the last Dense layer through weight-free layers only. */
function dropoutInfo(graph: ModelGraph, lastDense: GraphNode): DropoutInfo[] {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const feeding = new Set<string>();
  let cur = byName.get(lastDense.inputs[0] ?? '');
  while (cur && cur.inputs.length === 1 && !['Dense', 'Conv2D', 'BatchNormalization'].includes(cur.className)) {
    feeding.add(cur.name);
    cur = byName.get(cur.inputs[0]!);
  }
  return graph.nodes
    .filter((n) => n.className === 'Dropout')
    .map((n) => ({
      layer: n.name,
      rate: Number(n.config['rate']),
      training: n.callKwargs['training'] === true,
      beforeLastDense: feeding.has(n.name),
    }));
}

function setLayerWeights(dir: string, node: GraphNode, layer: tfl.layers.Layer, weights: LayerWeights): void {
  const own = weights.get(node.name) ?? new Map<string, BundleTensor>();
  const values: tf.Tensor[] = [];
  for (const w of layer.weights) {
    const wname = w.originalName.split('/').pop() ?? w.originalName;
    const t = own.get(wname);
    if (!t) throw fail(dir, `layer "${node.name}" (${node.className}): weight "${wname}" not found in the checkpoint`);
    if (t.dtype !== 'float32') {
      throw fail(dir, `layer "${node.name}" (${node.className}): weight "${wname}" has unsupported dtype ${t.dtype}`);
    }
    if (JSON.stringify(t.shape) !== JSON.stringify(w.shape)) {
      throw fail(
        dir,
        `layer "${node.name}": weight "${wname}" has shape [${t.shape}] in the checkpoint, the config implies [${w.shape}]`,
      );
    }
    values.push(tf.tensor(toFloat32(t), t.shape, 'float32'));
  }
  layer.setWeights(values);
  tf.dispose(values);
}

function lastDenseOf(dir: string, graph: ModelGraph, weights: LayerWeights): { node: GraphNode; dense: LastDense } {
  const node = [...graph.nodes].reverse().find((n) => n.className === 'Dense');
  if (!node) throw fail(dir, 'the model has no Dense layer (the uncertainty engine needs the last one)');
  const kernelT = weights.get(node.name)?.get('kernel');
  if (!kernelT || kernelT.shape.length !== 2)
    throw fail(dir, `layer "${node.name}": 2-D kernel not found in the checkpoint`);
  const [inDim, outDim] = kernelT.shape as [number, number];
  const biasT = weights.get(node.name)?.get('bias');
  const bias = biasT ? toFloat32(biasT) : new Float32Array(outDim);
  const activation = String(node.config['activation'] ?? 'linear');
  return { node, dense: { kernel: toFloat32(kernelT), bias, inDim, outDim, activation } };
}

async function load(dir: string, opts: LoadOptions, started: number): Promise<LoadedModel> {
  requireFiles(dir);
  const logger = opts.logger ?? createLogger('model-runtime');
  const [meta, bundle, digest, backend] = await Promise.all([
    readKerasMetadata(dir),
    readBundle(path.join(dir, 'variables', 'variables')),
    modelDigest(dir),
    initBackend(opts.backend, logger),
  ]);
  const graph = parseModelConfig(meta.modelConfig);
  checkClasses(dir, graph);
  const weights = groupLayerWeights(bundle, meta.childLayerNames, new Set(graph.nodes.map((n) => n.name)));
  const last = lastDenseOf(dir, graph, weights);

  const layers = new Map<string, tfl.layers.Layer>();
  for (const node of graph.nodes) {
    if (node.inputs.length === 0) continue;
    try {
      layers.set(node.name, createLayer(node, node === last.node ? 'linear' : undefined));
    } catch (e) {
      if (e instanceof LayerError) throw fail(dir, `layer "${node.name}" (${node.className}): ${e.message}`, e);
      throw e;
    }
  }
  const activationLayer = createLayer({
    name: `${last.node.name}_activation`,
    className: 'Activation',
    config: { activation: last.dense.activation },
    inputs: [],
    callKwargs: {},
  });
  const network = new Network(graph, layers, last.node.name, activationLayer);
  // A first pass on one zero example builds every layer (allocating its variables) before the weights are set.
  const probe = tf.tidy(() => {
    const r = network.forward(tf.zeros([1, ...graph.inputShape]), false);
    return { output: r.output.shape, features: r.features.shape };
  });
  for (const node of graph.nodes) {
    const layer = layers.get(node.name);
    if (layer) setLayerWeights(dir, node, layer, weights);
  }
  if (probe.output.length !== 2 || probe.features.length !== 2 || probe.features[1] !== last.dense.inDim) {
    throw fail(dir, `unexpected output shape [${probe.output}] / feature shape [${probe.features}]`);
  }
  const classes = probe.output[1]!;
  const metadata: ModelMetadata = {
    name: path.basename(path.resolve(dir)),
    dir: path.resolve(dir),
    digest,
    inputShape: graph.inputShape,
    classes,
    featureDim: last.dense.inDim,
    dropout: dropoutInfo(graph, last.node),
    layers: graph.nodes.map((n) => ({ name: n.name, className: n.className })),
    backend,
    loadMs: 0,
  };
  const predict = makePredict(network, metadata);
  metadata.loadMs = performance.now() - started;
  logger.info(
    { model: metadata.name, digest, backend, loadMs: Math.round(metadata.loadMs), source: meta.source },
    'model loaded',
  );
  return { metadata, lastDense: last.dense, predict, dispose: () => network.dispose() };
}

/**
 * Loads the Keras SavedModel in `dir` (TF 2.4 object-graph metadata or TF >= 2.5 `keras_metadata.pb`), verifies
 * every checkpoint tensor's CRC-32C, rebuilds the network with tfjs-layers and returns it ready to predict.
 * Throws AppError('MODEL_LOAD_FAILED') naming `dir` on any problem.
 */
export async function loadSavedModel(dir: string, opts: LoadOptions = {}): Promise<LoadedModel> {
  const started = performance.now();
  try {
    return await load(dir, opts, started);
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (KNOWN_ERRORS.some((k) => e instanceof k)) throw fail(dir, (e as Error).message, e);
    throw fail(dir, `unexpected error: ${(e as Error).message ?? String(e)}`, e);
  }
}
