/**
 * Executes the rebuilt layers in graph order on concrete tensors. Running the graph ourselves (rather than a
 * tfjs Model) lets one pass return the last Dense layer's input and pre-activation output, and lets the caller
 * switch Dropout sampling per call.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelGraph } from './keras-graph';

/** Outputs of one forward pass (tensors owned by the caller's tidy scope). */
export interface ForwardResult {
  output: tf.Tensor;
  logits: tf.Tensor;
  features: tf.Tensor;
}

export class Network {
  constructor(
    readonly graph: ModelGraph,
    private readonly layers: Map<string, tfl.layers.Layer>,
    /** Name of the last Dense layer, built with a linear activation. */
    private readonly lastDenseName: string,
    /** The last Dense layer's own activation, applied after reading the logits. */
    private readonly lastActivation: tfl.layers.Layer,
  ) {}

  /** One forward pass; `dropout` makes every Dropout layer sample a mask as with Keras `training=True`. */
  forward(x: tf.Tensor, dropout: boolean): ForwardResult {
    const values = new Map<string, tf.Tensor>();
    let logits: tf.Tensor | undefined;
    let features: tf.Tensor | undefined;
    for (const node of this.graph.nodes) {
      if (node.inputs.length === 0) {
        values.set(node.name, x);
        continue;
      }
      const input = values.get(node.inputs[0]!)!;
      const layer = this.layers.get(node.name)!;
      const training = dropout && node.className === 'Dropout';
      let out = layer.apply(input, { training }) as tf.Tensor;
      if (node.name === this.lastDenseName) {
        features = input;
        logits = out;
        out = this.lastActivation.apply(out) as tf.Tensor;
      }
      values.set(node.name, out);
    }
    const output = values.get(this.graph.outputName)!;
    if (!logits || !features) throw new Error('the last Dense layer was not executed');
    return { output, logits, features };
  }

  dispose(): void {
    for (const layer of this.layers.values()) {
      for (const w of layer.weights) w.dispose();
    }
  }
}
