/** Dropout stage: how MC dropout is done for the model. */
import type { DropoutSetting } from '../artifact';
import { DropoutCovariance, fastMcDropout, fastMcScratch } from '../mc-dropout';
import { hashFloat32, Rng } from '../prng';
import { auroc } from '../stats';
import type { PredictorLike, PredictOutputLike } from '../types';

const RATE_GRID = [0.05, 0.1, 0.2, 0.3, 0.5];
/** Calibration digits (every n-th) and MC samples used to choose the injected rate: enough to rank the grid. */
const RATE_SUBSET = 2000;
const RATE_SAMPLES = 32;

/**
 * Chooses the dropout rate: the model's own before its last Dense; otherwise the injected rate whose mutual
 * information best separates right from wrong answers on calibration digits (AUROC), the job MC dropout is for.
 * (Least NLL of the MC mean is not used: for an under-confident linear model it always picks the smallest rate.)
 */
export function fitDropoutStage(
  model: PredictorLike,
  out: PredictOutputLike,
  inputs: Float32Array,
  labels: Uint8Array,
): DropoutSetting {
  const native = model.metadata.dropout.find((d) => d.beforeLastDense);
  if (native) return { mode: 'native', rate: native.rate, chosenBy: `model layer ${native.layer}`, grid: [] };
  const cov = new DropoutCovariance(model.lastDense);
  const k = out.classes;
  const size = inputs.length / out.n;
  const scratch = fastMcScratch(k);
  const grid = RATE_GRID.map((rate) => {
    let nll = 0;
    const right: number[] = [];
    const wrong: number[] = [];
    const step = Math.max(1, Math.floor(out.n / RATE_SUBSET));
    for (let i = 0; i < out.n; i += step) {
      const rng = new Rng(hashFloat32(inputs, i * size, size));
      const mc = fastMcDropout(
        cov,
        out.features,
        i * out.featureDim,
        out.logits,
        i * k,
        rate,
        RATE_SAMPLES,
        rng,
        scratch,
      );
      nll -= Math.log(Math.max(mc.mean[labels[i] as number] as number, 1e-12));
      let top = 0;
      for (let j = 1; j < k; j++) if ((out.logits[i * k + j] as number) > (out.logits[i * k + top] as number)) top = j;
      (top === labels[i] ? right : wrong).push(-mc.mutualInformation);
    }
    return { rate, nll: nll / (right.length + wrong.length), misclassificationAuroc: auroc(right, wrong) };
  });
  const best = grid.reduce((a, b) => (b.misclassificationAuroc > a.misclassificationAuroc ? b : a));
  return {
    mode: 'injected',
    rate: best.rate,
    chosenBy: `highest misclassification AUROC of the mutual information on ${RATE_SUBSET} calibration digits (T=${RATE_SAMPLES})`,
    grid,
  };
}
