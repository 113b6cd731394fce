export { loadSavedModel } from './loader';
export { describeSavedModel, type SavedModelDescription } from './saved-model-description';
export { initBackend, BACKENDS } from './backend';
export type { BackendName } from './backend';
export { modelDigest } from './digest';
export { readBundle, toFloat32 } from './bundle';
export type { BundleTensor } from './bundle';
export { maskedCrc32c, crc32c } from './crc32c';
export { SUPPORTED_LAYERS } from './layers';
export type {
  DropoutInfo,
  LastDense,
  LoadedModel,
  LoadOptions,
  ModelMetadata,
  PredictOptions,
  PredictOutput,
} from './types';
export { argmax, evaluateAccuracy } from './evaluate';
export type { AccuracyResult } from './evaluate';
