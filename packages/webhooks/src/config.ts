import { env } from '@mserve/common';

/**
 * Environment variables every process that checks webhook URLs reads (gateway at submission, notifier at
 * connect), so both apply the same allowlist. Spread into an app's `parseEnv` spec.
 */
export const webhookGuardEnv = {
  WEBHOOK_ALLOW_HOSTS: env.list({
    doc: 'webhook hosts or CIDRs allowed even though they are not public (e.g. 127.0.0.1,10.1.0.0/16,receiver.local)',
    default: [],
  }),
};
