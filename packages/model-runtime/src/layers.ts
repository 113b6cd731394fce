/**
 * Maps Keras layer configs (snake_case, as saved by TF) onto tfjs-layers constructors. Only the layer classes and
 * options listed here are accepted: anything else must fail loudly rather than compute something different.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { GraphNode } from './keras-graph';

type Json = Record<string, unknown>;
type Layer = tfl.layers.Layer;

/** A Keras option or class the runtime cannot reproduce; the loader adds the layer and model directory. */
export class LayerError extends Error {}

const ACTIVATIONS: Record<string, string> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  hard_sigmoid: 'hardSigmoid',
  softmax: 'softmax',
  softplus: 'softplus',
  softsign: 'softsign',
  tanh: 'tanh',
  elu: 'elu',
  selu: 'selu',
  swish: 'swish',
};

/** The tfjs identifier of a Keras activation name; throws for ones tfjs would compute differently or lacks. */
export function tfjsActivation(keras: unknown): string {
  const name = keras ?? 'linear';
  const mapped = typeof name === 'string' ? ACTIVATIONS[name] : undefined;
  if (!mapped) throw new LayerError(`activation ${JSON.stringify(name)} is not supported`);
  return mapped;
}

function dataFormat(cfg: Json): 'channelsLast' | 'channelsFirst' {
  const f = cfg['data_format'] ?? 'channels_last';
  if (f === 'channels_last') return 'channelsLast';
  if (f === 'channels_first') return 'channelsFirst';
  throw new LayerError(`data_format ${JSON.stringify(f)} is not supported`);
}

function padding(cfg: Json): 'valid' | 'same' {
  const p = cfg['padding'] ?? 'valid';
  if (p === 'valid' || p === 'same') return p;
  throw new LayerError(`padding ${JSON.stringify(p)} is not supported`);
}

function ints(v: unknown, what: string): number[] {
  const arr = Array.isArray(v) ? v : [v, v];
  if (!arr.every((x) => Number.isInteger(x))) throw new LayerError(`${what} ${JSON.stringify(v)} is not supported`);
  return arr as number[];
}

function requireDefault(cfg: Json, key: string, expected: unknown): void {
  const v = cfg[key];
  if (v !== undefined && v !== null && JSON.stringify(v) !== JSON.stringify(expected)) {
    throw new LayerError(`${key}=${JSON.stringify(v)} is not supported`);
  }
}

/** Layer classes the runtime can rebuild. */
export const SUPPORTED_LAYERS = [
  'InputLayer',
  'Flatten',
  'Reshape',
  'Dense',
  'Dropout',
  'Conv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'BatchNormalization',
  'Rescaling',
  'Activation',
  'ReLU',
  'Softmax',
] as const;

const factories: Record<string, (cfg: Json, name: string) => Layer> = {
  Flatten: (cfg, name) => tfl.layers.flatten({ name, dataFormat: dataFormat(cfg) }),
  Reshape: (cfg, name) => tfl.layers.reshape({ name, targetShape: ints(cfg['target_shape'], 'target_shape') }),
  Dense: (cfg, name) =>
    tfl.layers.dense({
      name,
      units: Number(cfg['units']),
      activation: tfjsActivation(cfg['activation']) as 'linear',
      useBias: cfg['use_bias'] !== false,
    }),
  Dropout: (cfg, name) => {
    const noiseShape = cfg['noise_shape'];
    if (noiseShape !== null && noiseShape !== undefined) throw new LayerError('noise_shape is not supported');
    return tfl.layers.dropout({ name, rate: Number(cfg['rate']) });
  },
  Conv2D: (cfg, name) => {
    requireDefault(cfg, 'groups', 1);
    return tfl.layers.conv2d({
      name,
      filters: Number(cfg['filters']),
      kernelSize: ints(cfg['kernel_size'], 'kernel_size'),
      strides: ints(cfg['strides'] ?? 1, 'strides'),
      padding: padding(cfg),
      dataFormat: dataFormat(cfg),
      dilationRate: ints(cfg['dilation_rate'] ?? 1, 'dilation_rate') as [number, number],
      activation: tfjsActivation(cfg['activation']) as 'linear',
      useBias: cfg['use_bias'] !== false,
    });
  },
  MaxPooling2D: (cfg, name) =>
    tfl.layers.maxPooling2d({
      name,
      poolSize: ints(cfg['pool_size'] ?? 2, 'pool_size') as [number, number],
      strides: ints(cfg['strides'] ?? cfg['pool_size'] ?? 2, 'strides') as [number, number],
      padding: padding(cfg),
      dataFormat: dataFormat(cfg),
    }),
  AveragePooling2D: (cfg, name) =>
    tfl.layers.averagePooling2d({
      name,
      poolSize: ints(cfg['pool_size'] ?? 2, 'pool_size') as [number, number],
      strides: ints(cfg['strides'] ?? cfg['pool_size'] ?? 2, 'strides') as [number, number],
      padding: padding(cfg),
      dataFormat: dataFormat(cfg),
    }),
  GlobalAveragePooling2D: (cfg, name) => {
    requireDefault(cfg, 'keepdims', false);
    return tfl.layers.globalAveragePooling2d({ name, dataFormat: dataFormat(cfg) });
  },
  BatchNormalization: (cfg, name) => {
    const rawAxis = cfg['axis'] ?? -1;
    const axis = Array.isArray(rawAxis) && rawAxis.length === 1 ? rawAxis[0] : rawAxis;
    if (!Number.isInteger(axis)) throw new LayerError(`axis ${JSON.stringify(rawAxis)} is not supported`);
    return tfl.layers.batchNormalization({
      name,
      axis: axis as number,
      epsilon: Number(cfg['epsilon'] ?? 1e-3),
      center: cfg['center'] !== false,
      scale: cfg['scale'] !== false,
    });
  },
  Rescaling: (cfg, name) =>
    tfl.layers.rescaling({ name, scale: Number(cfg['scale']), offset: Number(cfg['offset'] ?? 0) }),
  Activation: (cfg, name) => tfl.layers.activation({ name, activation: tfjsActivation(cfg['activation']) as 'linear' }),
  ReLU: (cfg, name) => {
    requireDefault(cfg, 'negative_slope', 0);
    requireDefault(cfg, 'threshold', 0);
    const max = cfg['max_value'];
    return tfl.layers.reLU({ name, ...(typeof max === 'number' ? { maxValue: max } : {}) });
  },
  Softmax: (cfg, name) => tfl.layers.softmax({ name, axis: Number(cfg['axis'] ?? -1) }),
};

function checkDtype(cfg: Json): void {
  const d = cfg['dtype'];
  const name = d !== null && typeof d === 'object' ? (d as { config?: { name?: unknown } }).config?.name : d;
  if (name !== undefined && name !== null && name !== 'float32') {
    throw new LayerError(`dtype ${JSON.stringify(name)} is not supported (only float32)`);
  }
}

/** True when the runtime has a factory for this Keras class. */
export function isSupportedLayer(className: string): boolean {
  return (SUPPORTED_LAYERS as readonly string[]).includes(className);
}

/**
 * Builds the tfjs layer for a graph node. `overrideActivation` replaces a Dense layer's activation so the loader
 * can read the logits of the last Dense layer before applying the activation itself.
 */
export function createLayer(node: GraphNode, overrideActivation?: string): Layer {
  checkDtype(node.config);
  const factory = factories[node.className];
  if (!factory) {
    throw new LayerError(`layer class ${node.className} is not supported (supported: ${SUPPORTED_LAYERS.join(', ')})`);
  }
  const cfg = overrideActivation === undefined ? node.config : { ...node.config, activation: overrideActivation };
  return factory(cfg, node.name);
}
