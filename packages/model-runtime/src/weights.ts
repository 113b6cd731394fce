/**
 * Assigns checkpoint tensors to Keras layers. Checkpoint keys are object-graph paths from the model root, e.g.
 * `layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE`; the root's child name is resolved to a layer name
 * through the Keras metadata (or taken as a layer name directly for named-layer keys).
 */
import type { BundleTensor } from './bundle';

const VALUE_SUFFIX = '/.ATTRIBUTES/VARIABLE_VALUE';

/** layer name → weight name (`kernel`, `bias`, `gamma`, `moving_mean`, ...) → tensor. */
export type LayerWeights = Map<string, Map<string, BundleTensor>>;

/**
 * Groups the model variables of `bundle` by layer. Optimizer slots, optimizer state and metric variables are
 * ignored; keys whose root child is unknown are ignored too (a missing layer weight is reported by the caller).
 */
export function groupLayerWeights(
  bundle: Map<string, BundleTensor>,
  childLayerNames: Map<string, string>,
  layerNames: Set<string>,
): LayerWeights {
  const out: LayerWeights = new Map();
  for (const [key, tensor] of bundle) {
    if (!key.endsWith(VALUE_SUFFIX)) continue;
    const parts = key.slice(0, -VALUE_SUFFIX.length).split('/');
    if (parts.length !== 2 || parts.some((p) => p.startsWith('.'))) continue;
    const [child, weight] = parts as [string, string];
    const layer = childLayerNames.get(child) ?? (layerNames.has(child) ? child : undefined);
    if (layer === undefined || !layerNames.has(layer)) continue;
    let m = out.get(layer);
    if (!m) out.set(layer, (m = new Map()));
    m.set(weight, tensor);
  }
  return out;
}
