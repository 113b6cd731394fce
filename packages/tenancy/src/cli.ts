/**
 * `pnpm keys`: API keys and per-tenant webhook secrets, straight against the stack's Redis (the apps' REDIS_* variables:
 * a URL, sentinels or a cluster; QUEUE_PREFIX).
 *
 *   pnpm keys create --tenant acme --scopes predict,read   prints the key once (and the tenant's webhook secret)
 *   pnpm keys list                                         ids, tenants, scopes, state; never a secret
 *   pnpm keys revoke <id>                                  every gateway refuses the key within a second
 *   pnpm keys webhook-secret rotate --tenant acme          new secret first, the previous one still signs
 *   pnpm keys webhook-secret finish --tenant acme          drops the previous secret
 *   pnpm keys webhook-secret show --tenant acme            the tenant's current secrets
 */
import { parseArgs } from 'node:util';
import { cliArgs, env, parseEnv } from '@mserve/common';
import { createRedis, isCluster, redisEnv } from '@mserve/redis';
import { KeyStore } from './key-store';
import { checkTenant, parseScopes } from './keys';
import { tenancyKeys } from './redis-keys';
import { WebhookSecretStore } from './webhook-secrets';

const USAGE = `usage:
  pnpm keys create --tenant <name> --scopes predict,read[,admin]
  pnpm keys list
  pnpm keys revoke <id>
  pnpm keys webhook-secret rotate|finish|show --tenant <name>
env: REDIS_URL (default redis://127.0.0.1:6379) or REDIS_SENTINELS / REDIS_CLUSTER_NODES as the apps read them,
     QUEUE_PREFIX (default bull)`;

/** Where the keys live: the same variables the gateway reads, so the CLI finds a Sentinel primary or a cluster too. */
const cliEnv = { ...redisEnv, QUEUE_PREFIX: env.str({ doc: 'BullMQ key prefix of the stack', default: 'bull' }) };

async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { tenant: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const [cmd, sub] = positionals;
  const config = parseEnv(cliEnv);
  const redis = createRedis(config, 'command', { maxRetriesPerRequest: 2 });
  const keys = tenancyKeys(config.QUEUE_PREFIX, { cluster: isCluster(config) });
  const store = new KeyStore(redis, keys);
  const secrets = new WebhookSecretStore(redis, keys);
  const tenant = () => checkTenant(values.tenant ?? '');
  try {
    switch (cmd) {
      case 'create': {
        const t = tenant();
        const { id, key } = await store.create(t, parseScopes(values.scopes ?? 'predict,read'));
        const whsec = await secrets.ensure(t);
        if (values.json) out(JSON.stringify({ id, tenant: t, key, webhookSecrets: whsec }));
        else {
          out(`key id:  ${id}`);
          out(`api key: ${key}`);
          out(`(shown once: only its hash is stored)`);
          out(`tenant ${t} webhook secret: ${whsec[0] ?? ''}`);
        }
        return 0;
      }
      case 'list': {
        const all = await store.list();
        if (values.json) out(JSON.stringify(all.map(({ hash: _h, ...r }) => r)));
        else
          for (const r of all) {
            out(
              `${r.id}  ${r.tenant}  ${r.scopes.join(',')}  ${r.revokedAt ? `revoked ${r.revokedAt}` : 'active'}  ${r.source}`,
            );
          }
        return 0;
      }
      case 'revoke': {
        if (!sub) throw new Error('revoke needs a key id (see pnpm keys list)');
        if (!(await store.revoke(sub))) {
          out(`no key ${sub}`);
          return 1;
        }
        out(`revoked ${sub}`);
        return 0;
      }
      case 'webhook-secret': {
        const t = tenant();
        const list =
          sub === 'rotate'
            ? await secrets.rotate(t)
            : sub === 'finish'
              ? await secrets.finish(t)
              : sub === 'show'
                ? await secrets.get(t)
                : null;
        if (!list) throw new Error('webhook-secret needs rotate, finish or show');
        if (values.json) out(JSON.stringify({ tenant: t, webhookSecrets: list }));
        else list.forEach((s, i) => out(`${i === 0 ? 'signing (newest)' : 'still valid     '}  ${s}`));
        return 0;
      }
      default:
        out(USAGE);
        return cmd ? 2 : 0;
    }
  } finally {
    redis.disconnect();
  }
}

run(cliArgs(), (line) => process.stdout.write(`${line}\n`)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exit(2);
  },
);
