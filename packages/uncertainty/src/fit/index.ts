/**
 * `@mserve/uncertainty/fit`: what fitting and measuring a calibration needs (`@mserve/calibration`, `apps/eval`):
 * the fit, the preparation of its data sets, and the statistics and MC-dropout internals the evaluation reports.
 * Nothing on the request path imports it.
 */
export { fitCalibration } from './fit';
export type { FitCalibrationOptions } from './fit';
export { UPLOAD_COUNT, UPLOAD_SEED, uploadIndices } from './data';
export type { FitSet } from './data';
export { expandPlanes, predictAll, prepareDigitUploads, prepareImages, prepareSynthetic } from '../prepare';
export {
  bruteForceInjected,
  DropoutCovariance,
  fastMcDropout,
  fastMcScratch,
  summarizeProbabilitySamples,
} from '../mc-dropout';
export type { McSummary } from '../mc-dropout';
export { auroc, ece, reliabilityBins } from '../stats';
export type { ReliabilityBin } from '../stats';
export { hashFloat32, Rng } from '../prng';
export type { Signals } from '../signals';
export type {
  DigitUploadLike,
  ImageSetLike,
  InputFactsLike,
  PredictorLike,
  PreparedSet,
  PreprocessPixelsLike,
  ShiftedFitSets,
} from '../types';
