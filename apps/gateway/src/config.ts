import { env, parseEnv, type EnvConfig } from '@mserve/common';
import { DEFAULT_ALPHA, DEFAULT_QUEUE_NAME, QUEUE_PREFIX, SAMPLES_MAX, SAMPLES_MIN } from '@mserve/contracts';
import { queueShardsEnv, redisEnv } from '@mserve/redis';
import { webhookGuardEnv } from '@mserve/webhooks';
import { corsOriginsEnv } from './cors';
import { modelRepositoryEnv } from './models/repository-env';

/** Every environment variable the gateway reads; rendered into the README with `describeEnv(gatewayEnvSpec)`. */
export const gatewayEnvSpec = {
  PORT: env.int({ doc: 'HTTP port of the API', default: 8080, min: 0, max: 65535 }),
  HOST: env.str({
    doc: 'address the API listens on: `0.0.0.0` every IPv4 interface (containers), `127.0.0.1` this machine only, `::` IPv6 too',
    default: '0.0.0.0',
  }),
  ...redisEnv,
  QUEUE_NAME: env.str({ doc: 'BullMQ queue to produce to', default: DEFAULT_QUEUE_NAME }),
  ...queueShardsEnv,
  QUEUE_PREFIX: env.str({
    doc: 'BullMQ key prefix (the same as the worker and notifier); stacks sharing one Redis need different ones',
    default: QUEUE_PREFIX,
  }),
  MODEL_DIR: env.str({
    doc: 'SavedModel folder served alone when MODEL_REPOSITORY is empty; default `<ASSETS_DIR>/models/mnist_model`',
    default: '',
  }),
  ...modelRepositoryEnv,
  MAX_QUEUE_DEPTH: env.int({
    doc: 'waiting jobs above which submissions get 429 with Retry-After',
    default: 5000,
    min: 1,
  }),
  RETRY_AFTER_S: env.int({ doc: 'Retry-After sent with 429 and 503', unit: 's', default: 2, min: 1 }),
  RESULT_TTL_S: env.int({
    doc: 'how long finished jobs (results and failures) are kept',
    unit: 's',
    default: 86400,
    min: 1,
  }),
  // A completed job takes ~5 KB of Redis (payload with the input tensor, result, indexes; reports/serving-load.json):
  // 20,000 is ~110 MB.
  RESULT_MAX_COUNT: env.int({
    doc: 'most finished jobs kept, each of completed and failed (~5 KB of Redis per job)',
    default: 20000,
    min: 1,
  }),
  SYNC_RESULT_TTL_S: env.int({
    doc: 'how long finished batch jobs of synchronous predictions are kept (for GET /v1/jobs/{id} after a 504)',
    unit: 's',
    default: 600,
    min: 1,
  }),
  // A batch job takes ~5 KB of Redis per prediction it holds (reports/serving-predict-groups.json): 1,000 jobs of
  // 64 predictions is ~300 MB at most, ~40-60 MB at the groups of 9 to 13 seen with 300 concurrent requests.
  SYNC_RESULT_MAX_COUNT: env.int({
    doc: 'most finished batch jobs of synchronous predictions kept, each of completed and failed (~5 KB per prediction)',
    default: 1000,
    min: 1,
  }),
  MC_SAMPLES_DEFAULT: env.int({
    doc: 'Monte Carlo dropout samples when the request does not say',
    default: 30,
    min: SAMPLES_MIN,
    max: SAMPLES_MAX,
  }),
  ALPHA_DEFAULT: env.float({
    doc: 'conformal miscoverage level when the request does not say',
    default: DEFAULT_ALPHA,
    min: 0.0001,
    max: 0.9999,
  }),
  PREDICT_BATCH_MAX: env.int({
    doc: 'most submissions grouped into one write while one is in flight: synchronous predictions into one batch job, other jobs into one addBulk (1: no grouping)',
    default: 64,
    min: 1,
    max: 4096,
  }),
  SYNC_TIMEOUT_MS: env.int({
    doc: 'how long POST /v1/predict waits before answering 504 with the job id',
    unit: 'ms',
    default: 10000,
    min: 1,
    max: 120000,
  }),
  MAX_WAIT_S: env.int({
    doc: 'longest long-poll GET /v1/jobs/:id?wait= accepts',
    unit: 's',
    default: 30,
    min: 0,
    max: 300,
  }),
  WAIT_RECHECK_MS: env.int({
    doc: 'how often long-polls re-read job state in case a completion event was missed',
    unit: 'ms',
    default: 1000,
    min: 50,
  }),
  REDIS_TIMEOUT_MS: env.int({
    doc: 'longest a Redis command may take before the request fails with 503',
    unit: 'ms',
    default: 800,
    min: 50,
  }),
  REDIS_DURABLE_ACKS: env.bool({
    doc: 'send a 202 or a synchronous answer only once the job is on `REDIS_DURABLE_REPLICAS` replicas (Redis `WAIT`), so losing the primary loses no acknowledged job; when the replicas do not confirm in time the answer is 503 and the job may still run (retry with the same Idempotency-Key); not on a Redis Cluster',
    default: false,
  }),
  REDIS_DURABLE_REPLICAS: env.int({
    doc: 'replicas that must hold a job before it is acknowledged (with `REDIS_DURABLE_ACKS`)',
    default: 1,
    min: 1,
  }),
  REDIS_DURABLE_TIMEOUT_MS: env.int({
    doc: 'longest the gateway waits for the replicas to confirm a job (with `REDIS_DURABLE_ACKS`); keep it below `REDIS_TIMEOUT_MS`',
    unit: 'ms',
    default: 400,
    min: 1,
  }),
  SHUTDOWN_TIMEOUT_MS: env.int({
    doc: 'longest SIGTERM waits for in-flight requests (long-polls, synchronous waits) before exiting; below the grace period of compose (35 s) and k8s (40 s)',
    unit: 'ms',
    default: 32_000,
    min: 0,
  }),
  MAX_QUEUE_TIME_S: env.int({
    doc: 'longest a job may wait for a worker: one not started by then is not run and ends expired (0: no limit; a caller may ask for less with Cancel-After or deadline)',
    unit: 's',
    default: 3600,
    min: 0,
  }),
  IDEMPOTENCY_TTL_S: env.int({
    doc: 'how long an Idempotency-Key is remembered after its request was accepted (a retry within it gets the same job)',
    unit: 's',
    default: 86400,
    min: 1,
  }),
  ADMIN_UI: env.bool({
    doc: 'serve the read-only queue dashboard (Bull Board) at /admin/queues, behind the admin guard',
    default: true,
  }),
  MAX_UPLOAD_BYTES: env.int({ doc: 'largest accepted upload', unit: 'bytes', default: 10 * 1024 * 1024, min: 1024 }),
  CORS_ORIGINS: corsOriginsEnv,
  AUTH_MODE: env.oneOf(['off', 'required'] as const, {
    doc: "`required`: every /v1 request needs `Authorization: Bearer <API key>` and sees only its tenant's jobs; `off`: no keys, one tenant (the quick start; warned about at start-up)",
    default: 'off',
  }),
  AUTH_BOOTSTRAP_KEYS: {
    ...env.list({
      doc: 'API keys written to Redis at start-up (hashed; one already there, even revoked, is left alone), comma-separated `<tenant>:<scope>+<scope>:msk_<id>_<secret>`; from a Secret',
      default: [],
      secret: true,
    }),
    show: (v: string[]) => (v.length === 0 ? '' : `${v.length} keys`),
  },
  AUTH_CACHE_MS: env.int({
    doc: 'how long a verified key is trusted without asking Redis again (revocations also reach every gateway at once by pub/sub)',
    unit: 'ms',
    default: 500,
    min: 0,
    max: 1000,
  }),
  RATE_LIMIT_PER_S: env.float({
    doc: 'requests per second each API key may make on average (token bucket in Redis; `AUTH_MODE=required` only; 0: no limit)',
    unit: '1/s',
    default: 50,
    min: 0,
  }),
  RATE_LIMIT_BURST: env.int({
    doc: 'requests an API key may make at once above its rate (the bucket size)',
    default: 100,
    min: 1,
  }),
  TENANT_MAX_JOBS: env.int({
    doc: 'unfinished jobs (queued or running) a tenant may have, across gateways, before its submissions get 429 TENANT_QUOTA (`AUTH_MODE=required` only)',
    default: 2000,
    min: 1,
  }),
  // The same allowlist variable as the notifier's, so submission and delivery apply one policy.
  ...webhookGuardEnv,
};

/** Typed gateway configuration. */
export type GatewayConfig = EnvConfig<typeof gatewayEnvSpec>;

/** Parses the gateway configuration once, failing with one error listing every bad variable. */
export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return parseEnv(gatewayEnvSpec, source);
}
