/** `@mserve/model-runtime/eval`: measuring a loaded model offline (`pnpm model:check`, `apps/eval`). */
export { argmax, evaluateAccuracy } from '../evaluate';
export type { AccuracyResult } from '../evaluate';
// The MNIST test set and its model input, for suites that check a served model against the model itself.
export { loadMnistTest, toModelInput, type ImageSet } from '@mserve/datasets';
