export { loadSavedModel } from './loader';
export { describeSavedModel, type SavedModelDescription } from './saved-model-description';
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
