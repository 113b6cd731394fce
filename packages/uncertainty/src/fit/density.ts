/** Density stage: the input-space densities (pixels on training digits, facts on digits and digit uploads). */
import type { CalibrationArtifact } from '../artifact';
import { fitFactsModel } from '../facts-model';
import { fitGaussian, type GaussianModel } from '../gaussian';
import { PLANE } from '../prepare';
import type { PreparedSet } from '../types';

/**
 * Fits the pixel density on the training digits (unless `density` is given: it does not depend on the model) and
 * the facts density on two acquisition routes, 28x28 pixels and digits re-encoded as uploads.
 */
export function fitDensityStage(args: {
  train: PreparedSet & { labels: Uint8Array };
  uploads: PreparedSet;
  classes: number;
  pcaDim: number;
  qdaDim: number;
  density?: GaussianModel;
}): Pick<CalibrationArtifact, 'density' | 'facts'> {
  const { train, uploads } = args;
  const density =
    args.density ??
    fitGaussian(train.planes, train.labels, train.n, PLANE, args.classes, { pcaDim: args.pcaDim, qdaDim: args.qdaDim });
  const facts = fitFactsModel([
    { name: 'pixels', facts: train.facts },
    { name: 'uploads', facts: uploads.facts },
  ]);
  return { density, facts };
}
