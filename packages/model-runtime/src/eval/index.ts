/** `@mserve/model-runtime/eval`: measuring a loaded model offline (`pnpm model:check`, `apps/eval`). */
export { argmax, evaluateAccuracy } from '../evaluate';
export type { AccuracyResult } from '../evaluate';
