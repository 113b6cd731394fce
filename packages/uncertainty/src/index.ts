export { UncertaintyEngine, conformalUniform } from './engine';
export type { AssessOptions } from './engine';
export {
  ARTIFACT_FORMAT,
  ARTIFACT_VERSION,
  calibrationPath,
  loadCalibration,
  parseCalibration,
  saveCalibration,
  serializeCalibration,
} from './artifact';
export type { CalibrationArtifact, DropoutSetting } from './artifact';
export { fitCalibration } from './fit';
export type { FitCalibrationOptions } from './fit';
export {
  expandPlanes,
  predictAll,
  prepareDigitUploads,
  prepareImages,
  preparePixels,
  prepareSynthetic,
  PLANE,
} from './prepare';
export {
  bruteForceInjected,
  DropoutCovariance,
  fastMcDropout,
  fastMcScratch,
  summarizeProbabilitySamples,
} from './mc-dropout';
export type { DenseWeights, McSummary } from './mc-dropout';
export { apsScore, apsSet, calibrateConformal, conformalThreshold } from './conformal';
export type { ConformalCalibration } from './conformal';
export { densityInput, fitGaussian, GaussianScorer, ledoitWolf } from './gaussian';
export type { DensityScores, GaussianModel } from './gaussian';
export { ANSWER_FEATURES, DIGIT_FEATURES } from './signals';
export { FACT_NAMES, factsScore, fitFactsModel } from './facts-model';
export type { FactsModel } from './facts-model';
export type { Signals } from './signals';
export { auroc, ece, entropy, fitIsotonic, fitLogistic, isotonicAt, reliabilityBins, sigmoid } from './stats';
export type { IsotonicModel, LogisticModel, ReliabilityBin } from './stats';
export { hashFloat32, Rng } from './prng';
export { syntheticNonDigit, syntheticNonDigits, SYNTHETIC_KINDS } from './synthetic';
export type { SyntheticKind } from './synthetic';
export type {
  Assessment,
  DigitUploadLike,
  ImageSetLike,
  InputFactsLike,
  LastDenseLike,
  ModelMetadataLike,
  PredictorLike,
  PredictOutputLike,
  PreparedSet,
  PreprocessPixelsLike,
  RawPixelsLike,
} from './types';
