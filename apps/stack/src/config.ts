import { env, parseEnv, type EnvConfig } from '@mserve/common';
import { redisEnv } from '@mserve/redis';

/** Variables the launcher itself reads; everything else passes through to the processes it starts. */
export const stackEnvSpec = {
  PORT: env.int({ doc: 'gateway HTTP port', default: 8080, min: 1, max: 65535 }),
  HOST: env.str({
    doc: 'address the gateway, worker and notifier listen on (0.0.0.0 to serve other machines)',
    default: '127.0.0.1',
  }),
  // Sentinels or a cluster pass through to the apps as they are; the launcher asks them too.
  ...redisEnv,
  REDIS_URL: env.str({
    doc: 'Redis to use (`redis://[user:password@]host:port`, `rediss://` for TLS); when nothing answers there (nor at `REDIS_SENTINELS` / `REDIS_CLUSTER_NODES`), a private redis-server is started on a free port',
    default: 'redis://127.0.0.1:6379',
  }),
  STACK_PREFIX: env.str({
    doc: "namespace (BullMQ key prefix) of this stack's queues in Redis; default `mserve-<PORT>`, so stacks on different ports never share jobs",
    default: '',
  }),
  MODEL_REPOSITORY: env.str({
    doc: 'model repository served (every model and version; see the gateway); empty with MODEL_DIR set: that model alone',
    default: 'model-repository.json',
  }),
  MODEL_DIR: env.str({
    doc: 'SavedModel served alone when set (and MODEL_REPOSITORY is not); default: the repository',
    default: '',
  }),
  CALIBRATION_DIR: env.str({ doc: 'calibration artifacts (fitted first when missing)', default: 'calibration' }),
  STACK_WORKERS: env.int({ doc: 'worker processes to start', default: 1, min: 1, max: 16 }),
  REDIS_SERVER_BIN: env.str({ doc: 'redis-server executable for the private Redis', default: 'redis-server' }),
};

/** Typed launcher configuration. */
export type StackConfig = EnvConfig<typeof stackEnvSpec>;

/** Parses the launcher's configuration once. */
export function loadStackConfig(source: NodeJS.ProcessEnv = process.env): StackConfig {
  return parseEnv(stackEnvSpec, source);
}
