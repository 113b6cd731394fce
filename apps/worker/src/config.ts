import { env, parseEnv, type EnvConfig } from '@mserve/common';
import { DEFAULT_QUEUE_NAME, QUEUE_PREFIX } from '@mserve/contracts';
import { queueShardsEnv, redisEnv } from '@mserve/redis';

/** Every environment variable the worker reads; rendered into the README with `describeEnv(workerEnvSpec)`. */
export const workerEnvSpec = {
  ...redisEnv,
  QUEUE_NAME: env.str({ doc: 'BullMQ queue to consume', default: DEFAULT_QUEUE_NAME }),
  ...queueShardsEnv,
  QUEUE_PREFIX: env.str({
    doc: 'BullMQ key prefix, the namespace of the queues in Redis (the same as the gateway and notifier)',
    default: QUEUE_PREFIX,
  }),
  MODEL_DIR: env.str({
    doc: 'SavedModel folder served alone when MODEL_REPOSITORY is empty; default `<ASSETS_DIR>/models/mnist_model`',
    default: '',
  }),
  MODEL_REPOSITORY: env.str({
    doc: "model repository (as the gateway's): a folder `<name>/<version>/saved_model.pb` or a JSON file of version folders under ASSETS_DIR; empty: MODEL_DIR alone on QUEUE_NAME",
    default: '',
  }),
  WORKER_MODELS: env.str({
    doc: 'comma-separated models of the repository this worker hosts (each served version on its own queue); empty: all',
    default: '',
  }),
  MODEL_VERSION_POLICY: env.str({
    doc: "versions served per model: `all`, `latest:<n>` or `specific:<v>,<v>` (the same as the gateway's)",
    default: 'latest:2',
  }),
  MODEL_POLL_MS: env.int({
    doc: 'how often the repository is scanned for new versions',
    unit: 'ms',
    default: 2000,
    min: 100,
  }),
  CALIBRATE_MISSING: env.bool({
    doc: 'repository mode: fit a missing calibration in the background (a child `pnpm calibrate`) instead of failing the version',
    default: true,
  }),
  CALIBRATION_DIR: env.str({
    doc: 'folder of calibration artifacts written by `pnpm calibrate` (relative to the repo root)',
    default: 'calibration',
  }),
  BATCH_MAX_SIZE: env.int({
    doc: 'most jobs in one model pass (also the BullMQ concurrency)',
    default: 32,
    min: 1,
    max: 512,
  }),
  BATCH_MAX_WAIT_MS: env.int({
    doc: 'how long an idle worker waits for companions before it runs a batch; 0: at once (jobs that arrive during a pass form the next batch)',
    unit: 'ms',
    default: 0,
    min: 0,
    max: 60000,
  }),
  WORKER_HTTP_PORT: env.int({ doc: 'port of /healthz and /metrics', default: 9100, min: 0, max: 65535 }),
  HOST: env.str({
    doc: 'address /healthz and /metrics listen on (`pnpm start` uses 127.0.0.1)',
    default: '0.0.0.0',
  }),
  LOCK_DURATION_MS: env.int({
    doc: 'BullMQ job lock; a job whose lock is not renewed for this long is considered stalled',
    unit: 'ms',
    default: 30000,
    min: 1000,
  }),
  STALLED_INTERVAL_MS: env.int({
    doc: 'how often this worker looks for stalled jobs (of crashed workers) to put back',
    unit: 'ms',
    default: 15000,
    min: 100,
  }),
  MAX_STALLED_COUNT: env.int({
    doc: 'how many times a job may be recovered from a crashed worker before it fails',
    default: 2,
    min: 0,
  }),
  SHUTDOWN_TIMEOUT_MS: env.int({
    doc: 'longest a graceful shutdown waits for the in-flight batch before forcing exit',
    unit: 'ms',
    default: 20000,
    min: 0,
  }),
};

/** Typed worker configuration. */
export type WorkerConfig = EnvConfig<typeof workerEnvSpec>;

/** Parses the worker configuration once, failing with one error listing every bad variable. */
export function loadWorkerConfig(source: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseEnv(workerEnvSpec, source);
}
