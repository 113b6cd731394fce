/**
 * `@mserve/model-runtime/describe`: a model's name, digest and input shape for processes that never run it (the
 * gateway). A subpath of its own so that importing it loads neither tfjs nor its backends.
 */
export { describeSavedModel, type SavedModelDescription } from '../saved-model-description';
