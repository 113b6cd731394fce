export { loadSavedModel } from './loader';
export { modelDigest } from './digest';
export type {
  DropoutInfo,
  LastDense,
  LoadedModel,
  LoadOptions,
  ModelMetadata,
  PredictOptions,
  PredictOutput,
} from './types';
