export { preprocess, preprocessPixels } from './preprocess';
export { preprocessingFingerprint } from './fingerprint';
export { detectImageType, SUPPORTED_FORMATS } from './detect';
export type { DetectedType } from './detect';
export { ALL_STEPS, DEFAULT_LIMITS, DEFAULT_STEPS } from './types';
export type {
  InputFacts,
  NormaliseSteps,
  PreprocessLimits,
  PreprocessMode,
  PreprocessOptions,
  PreprocessResult,
  RawPixels,
} from './types';
export { seededRandom, syntheticUpload } from './synthetic';
export type { SyntheticOptions, SyntheticUpload } from './synthetic';
