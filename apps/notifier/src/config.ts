import { env, parseEnv, type EnvConfig } from '@mserve/common';
import { redisEnv } from '@mserve/redis';
import { WEBHOOK_QUEUE, webhookGuardEnv } from '@mserve/webhooks';
import { durationList } from './schedule';

const SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** Every environment variable the notifier reads; rendered into the README with `describeEnv(notifierEnvSpec)`. */
export const notifierEnvSpec = {
  ...redisEnv,
  QUEUE_PREFIX: env.str({ doc: 'BullMQ key prefix (the same as the gateway and worker)', default: 'bull' }),
  WEBHOOK_QUEUE_NAME: env.str({
    doc: 'BullMQ queue of deliveries; on a Redis Cluster a name without a hash tag gets one (`{webhooks}`), as the gateway and worker do',
    default: WEBHOOK_QUEUE,
  }),
  NOTIFIER_HTTP_PORT: env.int({
    doc: 'port of /healthz, /metrics and /dead-letters',
    default: 9101,
    min: 0,
    max: 65535,
  }),
  HOST: env.str({ doc: 'address that port listens on (`pnpm start` uses 127.0.0.1)', default: '0.0.0.0' }),
  NOTIFIER_ADMIN_TOKEN: {
    ...env.str({
      doc: 'bearer token of /dead-letters (they show webhook URLs), at least 16 characters; unset: those endpoints answer 404',
      default: '',
    }),
    show: (v: string) => (v === '' ? '' : '***'),
    parse(raw: string) {
      const t = raw.trim();
      if (t.length < 16 || /\s/.test(t)) return { error: 'needs at least 16 characters and no spaces' };
      return t;
    },
  },
  WEBHOOK_SECRETS: {
    ...env.list({
      doc: 'signing secrets `whsec_<base64>`, comma-separated; each delivery carries one signature per secret',
      secret: true,
    }),
    parse(raw: string) {
      const list = raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const bad = list.findIndex((s) => !SECRET.test(s) || Buffer.from(s.slice(6), 'base64').length < 16);
      if (list.length === 0) return { error: 'at least one secret is needed' };
      if (bad >= 0) return { error: `secret #${bad + 1} is not whsec_ followed by >= 16 bytes of base64` };
      return list;
    },
  },
  ...webhookGuardEnv,
  WEBHOOK_RETRY_SCHEDULE: durationList({
    doc: 'delays before each retry (comma-separated: 500ms, 5s, 2m, 1h); attempts = entries + 1, then dead letter',
    default: [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000],
  }),
  WEBHOOK_RETRY_JITTER: env.float({
    doc: 'each retry delay is spread uniformly over ±this fraction of itself',
    default: 0.2,
    min: 0,
    max: 1,
  }),
  WEBHOOK_RETRY_AFTER_MAX_MS: env.int({
    doc: 'cap on a receiver-requested Retry-After (429/503)',
    unit: 'ms',
    default: 21_600_000,
    min: 0,
  }),
  WEBHOOK_TIMEOUT_MS: env.int({
    doc: 'whole-attempt timeout (connect to response)',
    unit: 'ms',
    default: 10_000,
    min: 1,
  }),
  WEBHOOK_RESPONSE_MAX_BYTES: env.int({
    doc: 'most response body bytes read before the connection is dropped',
    unit: 'bytes',
    default: 65_536,
    min: 0,
  }),
  NOTIFIER_CONCURRENCY: env.int({ doc: 'deliveries in flight at once', default: 32, min: 1, max: 1000 }),
  LOCK_DURATION_MS: env.int({
    doc: 'BullMQ lock of an in-flight delivery; a crashed notifier’s delivery is retried after this',
    unit: 'ms',
    default: 30_000,
    min: 500,
  }),
  STALLED_INTERVAL_MS: env.int({
    doc: 'how often the notifier looks for deliveries of crashed notifiers',
    unit: 'ms',
    default: 15_000,
    min: 100,
  }),
  MAX_STALLED_COUNT: env.int({
    doc: 'how many notifier crashes one delivery survives before it is dead-lettered',
    default: 3,
    min: 0,
  }),
  SHUTDOWN_TIMEOUT_MS: env.int({
    doc: 'longest SIGTERM waits for in-flight deliveries before exiting',
    unit: 'ms',
    default: 15_000,
    min: 0,
  }),
};

/** Typed notifier configuration. */
export type NotifierConfig = EnvConfig<typeof notifierEnvSpec>;

/** Parses the notifier configuration once, failing with one error listing every bad variable. */
export function loadNotifierConfig(source: NodeJS.ProcessEnv = process.env): NotifierConfig {
  return parseEnv(notifierEnvSpec, source);
}
