/** Conformal stage: the sorted APS scores of the calibration digits (abstained ones as +Infinity). */
import type { CalibrationArtifact } from '../artifact';
import { apsScore, calibrateConformal, conformalUniform } from '../conformal';
import { isOutOfDistribution, type Signals } from '../signals';
import type { InputFactsLike } from '../types';

/** Scores every calibration digit with the same uniform its request would draw, so serving sets match. */
export function fitConformalStage(args: {
  signals: Signals[];
  facts: InputFactsLike[];
  labels: Uint8Array;
  /** The model inputs of the calibration digits (the uniform is a function of their bytes). */
  inputs: Float32Array;
  ood: CalibrationArtifact['ood'];
}): CalibrationArtifact['conformal'] {
  const { signals, facts, labels, inputs, ood } = args;
  const size = inputs.length / signals.length;
  const scores = signals.map((s, i) =>
    isOutOfDistribution(ood, s, facts[i])
      ? Infinity
      : apsScore(s.pooled, labels[i] as number, conformalUniform(inputs, i * size, size)),
  );
  return calibrateConformal(scores);
}
