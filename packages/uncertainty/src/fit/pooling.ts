/** Pooling stage: how model logits and the density posterior are combined into the conformal probabilities. */
import type { CalibrationArtifact } from '../artifact';
import { pooledProbabilities, type Measurement } from '../signals';
import type { PredictOutputLike } from '../types';

/** Log-linear pooling weights of model logits and density posterior, by least NLL on calibration digits. */
export function fitPoolingStage(
  out: PredictOutputLike,
  measured: Measurement[],
  labels: Uint8Array,
): CalibrationArtifact['pooling'] {
  const k = out.classes;
  const buf = new Float64Array(k);
  let best = { modelWeight: 1, densityWeight: 0, nll: Infinity };
  for (let a = 0.25; a <= 2.001; a += 0.125) {
    for (let b = 0; b <= 1.001; b += 0.05) {
      let nll = 0;
      for (let i = 0; i < out.n; i++) {
        pooledProbabilities(out.logits, i * k, (measured[i] as Measurement).density.qdaLogPosterior, k, a, b, buf);
        nll -= Math.log(Math.max(buf[labels[i] as number] as number, 1e-12));
      }
      if (nll < best.nll) best = { modelWeight: a, densityWeight: b, nll };
    }
  }
  return { modelWeight: best.modelWeight, densityWeight: best.densityWeight };
}
