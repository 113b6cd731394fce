/**
 * Turns a Keras `model_config` (Sequential or Functional) into a flat, topologically ordered list of layer calls
 * with their Keras call arguments (e.g. `training: true` on a Dropout inbound node), independent of tfjs.
 */

/** One layer call of the network. */
export interface GraphNode {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Names of the layers whose outputs feed this one, in call order (empty for the input). */
  inputs: string[];
  /** Keyword arguments of the call as Keras recorded them in `inbound_nodes`. */
  callKwargs: Record<string, unknown>;
}

/** A single-input, single-output network. */
export interface ModelGraph {
  name: string;
  className: string;
  inputShape: number[];
  nodes: GraphNode[];
  outputName: string;
}

/** A reason the config cannot be used; the loader adds the model directory. */
export class GraphError extends Error {}

type Json = Record<string, unknown>;

function asObject(v: unknown, what: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new GraphError(`${what} is not an object`);
  return v as Json;
}

function inputShapeOf(cfg: Json, layerName: string): number[] {
  const shape = cfg['batch_input_shape'] ?? cfg['batch_shape'];
  if (!Array.isArray(shape) || shape.length < 2 || !shape.slice(1).every((d) => Number.isInteger(d) && d > 0)) {
    throw new GraphError(`layer "${layerName}" has no fixed batch_input_shape`);
  }
  return shape.slice(1) as number[];
}

function layerName(layer: Json, cfg: Json): string {
  const name = layer['name'] ?? cfg['name'];
  if (typeof name !== 'string') throw new GraphError('a layer has no name');
  return name;
}

function sequential(name: string, layersRaw: unknown[]): ModelGraph {
  const nodes: GraphNode[] = [];
  let prev: string | undefined;
  let inputShape: number[] | undefined;
  for (const raw of layersRaw) {
    const layer = asObject(raw, 'a Sequential layer');
    const cfg = asObject(layer['config'], 'a layer config');
    const className = String(layer['class_name']);
    const lname = layerName(layer, cfg);
    if (!prev) {
      inputShape = inputShapeOf(cfg, lname);
      if (className === 'InputLayer') {
        nodes.push({ name: lname, className, config: cfg, inputs: [], callKwargs: {} });
        prev = lname;
        continue;
      }
      // Keras builds an implicit InputLayer named "<first layer>_input" when the first layer carries the shape.
      const inputName = `${lname}_input`;
      nodes.push({ name: inputName, className: 'InputLayer', config: { name: inputName }, inputs: [], callKwargs: {} });
      prev = inputName;
    }
    nodes.push({ name: lname, className, config: cfg, inputs: [prev], callKwargs: {} });
    prev = lname;
  }
  if (!prev || !inputShape || nodes.length < 2) throw new GraphError('the Sequential model has no layers');
  return { name, className: 'Sequential', inputShape, nodes, outputName: prev };
}

function singleRef(refs: unknown, what: string): string {
  if (!Array.isArray(refs) || refs.length !== 1 || !Array.isArray(refs[0])) {
    throw new GraphError(`${what}: only models with exactly one input and one output are supported`);
  }
  return String(refs[0][0]);
}

function functional(name: string, className: string, cfg: Json): ModelGraph {
  const layersRaw = cfg['layers'];
  if (!Array.isArray(layersRaw)) throw new GraphError('the Functional config has no layers');
  const byName = new Map<string, GraphNode>();
  for (const raw of layersRaw) {
    const layer = asObject(raw, 'a Functional layer');
    const lcfg = asObject(layer['config'], 'a layer config');
    const lname = layerName(layer, lcfg);
    const inbound = layer['inbound_nodes'];
    if (!Array.isArray(inbound) || inbound.length > 1) {
      throw new GraphError(
        `layer "${lname}" is called ${Array.isArray(inbound) ? inbound.length : '?'} times; shared layers are not supported`,
      );
    }
    const inputs: string[] = [];
    let callKwargs: Json = {};
    const call = inbound[0];
    if (call !== undefined) {
      if (!Array.isArray(call)) throw new GraphError(`layer "${lname}" has a malformed inbound node`);
      for (const ref of call) {
        if (!Array.isArray(ref) || typeof ref[0] !== 'string' || ref[1] !== 0 || ref[2] !== 0) {
          throw new GraphError(`layer "${lname}" has an unsupported inbound node reference ${JSON.stringify(ref)}`);
        }
        inputs.push(ref[0]);
        if (ref[3] && typeof ref[3] === 'object') callKwargs = { ...callKwargs, ...(ref[3] as Json) };
      }
    }
    byName.set(lname, { name: lname, className: String(layer['class_name']), config: lcfg, inputs, callKwargs });
  }
  const inputName = singleRef(cfg['input_layers'], 'input_layers');
  const outputName = singleRef(cfg['output_layers'], 'output_layers');
  const input = byName.get(inputName);
  if (!input || input.className !== 'InputLayer') throw new GraphError(`input "${inputName}" is not an InputLayer`);

  const ordered: GraphNode[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string): void => {
    const node = byName.get(n);
    if (!node) throw new GraphError(`layer "${n}" is referenced but not defined`);
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting') throw new GraphError(`layer "${n}" is part of a cycle`);
    state.set(n, 'visiting');
    node.inputs.forEach(visit);
    state.set(n, 'done');
    ordered.push(node);
  };
  visit(outputName);
  if (ordered[0]?.name !== inputName)
    throw new GraphError(`output "${outputName}" does not depend on input "${inputName}"`);
  return { name, className, inputShape: inputShapeOf(input.config, inputName), nodes: ordered, outputName };
}

/** Parses `{class_name, config}` of a Keras model into a {@link ModelGraph}. */
export function parseModelConfig(modelConfig: { class_name: string; config: unknown }): ModelGraph {
  const { class_name: className, config } = modelConfig;
  if (className === 'Sequential') {
    // Keras < 2.3 wrote the layer list directly as the config.
    if (Array.isArray(config)) return sequential('sequential', config);
    const cfg = asObject(config, 'the Sequential config');
    return sequential(String(cfg['name'] ?? 'sequential'), (cfg['layers'] as unknown[] | undefined) ?? []);
  }
  if (className === 'Functional' || className === 'Model') {
    const cfg = asObject(config, 'the Functional config');
    return functional(String(cfg['name'] ?? 'model'), className, cfg);
  }
  throw new GraphError(`model class "${className}" is not supported (only Sequential and Functional)`);
}
