import type { LoadedModel } from '@mserve/model-runtime';
import { argmax } from '@mserve/model-runtime/eval';
import { preprocess, type PreprocessOptions } from '@mserve/preprocess';
import { FONTS } from './fonts';
import type { ShiftedItem } from './item';
import type { Look } from './looks';

/** One way of preprocessing the uploads, compared with the others on the same items. */
export interface Variant {
  name: string;
  /** What the variant changes, for the report. */
  description: string;
  /** Options of `preprocess` besides the model's input shape. */
  options: Omit<PreprocessOptions, 'inputShape'>;
}

/** Correct predictions out of `n`. */
export interface Tally {
  n: number;
  correct: number;
  accuracy: number;
}

/** A variant's accuracy on the digits, overall and broken down, and its preprocessing cost. */
export interface VariantResult {
  name: string;
  description: string;
  overall: Tally;
  byLook: Partial<Record<Look, Tally>>;
  byStyle: Record<'handwriting' | 'print', Tally>;
  byFont: Record<string, Tally>;
  /** Digits in which no ink was found (an all-zero input). */
  blank: number;
  /** Mean wall time of one `preprocess` call on these items (one in flight), ms. */
  meanMs: number;
}

/** How confident the model is on digits and on non-digits: what an OOD score has to work with. */
export interface ConfidenceSummary {
  kind: ShiftedItem['kind'];
  n: number;
  /** Mean of the largest softmax probability. */
  meanMaxProb: number;
  /** Share with a largest probability of at least 0.9. */
  confident: number;
  /** Share of inputs that came out blank (no ink found). */
  blank: number;
}

const tally = (): Tally => ({ n: 0, correct: 0, accuracy: 0 });

function add(t: Tally, ok: boolean): void {
  t.n++;
  if (ok) t.correct++;
  t.accuracy = t.correct / t.n;
}

interface Prepared {
  inputs: Float32Array;
  blank: boolean[];
  meanMs: number;
}

/** Preprocesses every item with the given options, one at a time so that `meanMs` is the cost of one call. */
async function prepare(model: LoadedModel, items: ShiftedItem[], variant: Variant): Promise<Prepared> {
  const shape = model.metadata.inputShape;
  const size = shape.reduce((a, b) => a * b, 1);
  const inputs = new Float32Array(items.length * size);
  const blank: boolean[] = new Array(items.length).fill(false);
  let ms = 0;
  for (let i = 0; i < items.length; i++) {
    const r = await preprocess(items[i]!.image, { ...variant.options, inputShape: shape });
    inputs.set(r.tensor, i * size);
    blank[i] = r.facts.inkFraction === 0;
    ms += r.ms;
  }
  return { inputs, blank, meanMs: items.length > 0 ? ms / items.length : 0 };
}

/** Softmax outputs of the model for prepared inputs, in batches. */
async function predictAll(model: LoadedModel, inputs: Float32Array, n: number): Promise<Float32Array> {
  const size = inputs.length / Math.max(1, n);
  const classes = model.metadata.classes;
  const out = new Float32Array(n * classes);
  const batch = 256;
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const r = await model.predict(inputs.subarray(s * size, (s + m) * size), m);
    out.set(r.probabilities, s * classes);
  }
  return out;
}

/** Accuracy of the model on the digit items through one preprocessing variant. */
export async function evaluateVariant(
  model: LoadedModel,
  digits: ShiftedItem[],
  variant: Variant,
): Promise<VariantResult> {
  const prepared = await prepare(model, digits, variant);
  const probs = await predictAll(model, prepared.inputs, digits.length);
  const classes = model.metadata.classes;
  const style = new Map(FONTS.map((f) => [f.id, f.style]));
  const result: VariantResult = {
    name: variant.name,
    description: variant.description,
    overall: tally(),
    byLook: {},
    byStyle: { handwriting: tally(), print: tally() },
    byFont: {},
    blank: prepared.blank.filter(Boolean).length,
    meanMs: prepared.meanMs,
  };
  digits.forEach((item, i) => {
    const ok = argmax(probs.subarray(i * classes, (i + 1) * classes)) === item.label;
    add(result.overall, ok);
    add((result.byLook[item.look] ??= tally()), ok);
    const font = item.font ?? 'none';
    add(result.byStyle[style.get(font) ?? 'print'], ok);
    add((result.byFont[font] ??= tally()), ok);
  });
  return result;
}

/** The model's confidence on each kind of item through one preprocessing variant. */
export async function confidenceByKind(
  model: LoadedModel,
  items: ShiftedItem[],
  variant: Variant,
): Promise<ConfidenceSummary[]> {
  const prepared = await prepare(model, items, variant);
  const probs = await predictAll(model, prepared.inputs, items.length);
  const classes = model.metadata.classes;
  const kinds: ShiftedItem['kind'][] = ['digit', 'near-ood', 'far-ood'];
  return kinds.map((kind) => {
    let n = 0;
    let sum = 0;
    let confident = 0;
    let blank = 0;
    items.forEach((item, i) => {
      if (item.kind !== kind) return;
      const max = Math.max(...probs.subarray(i * classes, (i + 1) * classes));
      n++;
      sum += max;
      if (max >= 0.9) confident++;
      if (prepared.blank[i]) blank++;
    });
    return { kind, n, meanMaxProb: n ? sum / n : 0, confident: n ? confident / n : 0, blank: n ? blank / n : 0 };
  });
}
