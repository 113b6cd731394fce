/**
 * The results of a protocol request as named output tensors, shared by the Open Inference Protocol (`outputs`)
 * and TF Serving (`predictions` / `outputs`): probabilities, the prediction, and the uncertainty fields.
 */
import type { InferenceResult } from '@mserve/contracts';

/** One named output: its datatype (OIP names), per-item shape, and per-item values. */
export interface OutputSpec {
  name: string;
  datatype: 'FP32' | 'INT64' | 'BOOL';
  itemShape: number[];
  pick(r: InferenceResult): number[] | boolean[] | number | boolean;
  description: string;
}

/** Every output the service answers with, in the order they are listed. */
export const OUTPUTS: OutputSpec[] = [
  {
    name: 'prediction',
    datatype: 'INT64',
    itemShape: [],
    pick: (r) => r.result.prediction,
    description: 'the predicted digit',
  },
  {
    name: 'probabilities',
    datatype: 'FP32',
    itemShape: [10],
    pick: (r) => r.result.probabilities,
    description: 'predictive distribution (mean of the Monte Carlo dropout samples)',
  },
  {
    name: 'raw_probabilities',
    datatype: 'FP32',
    itemShape: [10],
    pick: (r) => r.result.rawProbabilities,
    description: "the model's deterministic softmax",
  },
  {
    name: 'reliability',
    datatype: 'FP32',
    itemShape: [],
    pick: (r) => r.result.uncertainty.reliability,
    description: 'calibrated P(prediction right and input a digit)',
  },
  {
    name: 'reliable',
    datatype: 'BOOL',
    itemShape: [],
    pick: (r) => r.result.uncertainty.reliable,
    description: 'reliability above the threshold and in distribution',
  },
  {
    name: 'ood_score',
    datatype: 'FP32',
    itemShape: [],
    pick: (r) => r.result.uncertainty.outOfDistribution.score,
    description: 'out-of-distribution score',
  },
  {
    name: 'ood',
    datatype: 'BOOL',
    itemShape: [],
    pick: (r) => r.result.uncertainty.outOfDistribution.flag,
    description: 'out-of-distribution flag',
  },
  {
    name: 'prediction_set',
    datatype: 'BOOL',
    itemShape: [10],
    pick: (r) => Array.from({ length: 10 }, (_, d) => r.result.uncertainty.predictionSet.includes(d)),
    description: 'conformal prediction set as a mask over the digits (covers the truth with probability 1 - alpha)',
  },
];

/** The outputs named in `wanted` (all when absent); unknown names are refused by the caller. */
export function selectOutputs(wanted: string[] | undefined): OutputSpec[] {
  if (!wanted || wanted.length === 0) return OUTPUTS;
  return wanted.map((n) => OUTPUTS.find((o) => o.name === n)).filter((o): o is OutputSpec => o !== undefined);
}

/** Names not among the outputs. */
export function unknownOutputs(wanted: string[]): string[] {
  return wanted.filter((n) => !OUTPUTS.some((o) => o.name === n));
}
