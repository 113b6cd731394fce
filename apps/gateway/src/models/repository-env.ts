import { env } from '@mserve/common';

/**
 * The model repository's settings, shared in meaning with the worker's (the same names and defaults; each app
 * declares its own copy because apps never import each other).
 */
export const modelRepositoryEnv = {
  MODEL_REPOSITORY: env.str({
    doc: 'model repository: a folder in TF Serving layout `<name>/<version>/saved_model.pb`, or a JSON file naming version folders under ASSETS_DIR (relative to the repo root; `pnpm start` uses `model-repository.json`, all shared models); empty: MODEL_DIR alone, as version 1 on QUEUE_NAME itself',
    default: '',
  }),
  DEFAULT_MODEL: env.str({
    doc: 'model of requests that name none (when the repository holds it)',
    default: 'mnist_model',
  }),
  MODEL_VERSION_POLICY: env.str({
    doc: 'versions served per model: `all`, `latest:<n>` or `specific:<v>,<v>`',
    default: 'latest:2',
  }),
  MODEL_ADMIN_TOKEN: env.str({
    doc: 'bearer token of `PUT /v1/models/{name}/labels` (stable, canary, rollback); empty: label changes are off',
    default: '',
    secret: true,
  }),
  MODEL_POLL_MS: env.int({
    doc: 'how often the repository is scanned for new versions and Redis for version states and labels',
    unit: 'ms',
    default: 2000,
    min: 100,
  }),
};
