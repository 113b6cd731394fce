/**
 * `@mserve/uncertainty`: the serving side (the engine and the artifact format). Fitting and evaluation helpers
 * are behind `@mserve/uncertainty/fit`; finding, loading and fitting the artifact of a model is
 * `@mserve/calibration`.
 */
export { UncertaintyEngine } from './engine';
export type { AssessOptions } from './engine';
export {
  ARTIFACT_FORMAT,
  ARTIFACT_VERSION,
  artifactMismatch,
  parseCalibration,
  serializeCalibration,
} from './artifact';
export type { CalibrationArtifact, DropoutSetting } from './artifact';
export type {
  Assessment,
  InputFactsLike,
  LastDenseLike,
  ModelMetadataLike,
  PredictOutputLike,
  PredictorLike,
} from './types';
