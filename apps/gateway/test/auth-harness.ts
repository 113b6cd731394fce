/**
 * Pieces of the auth suites: a stack under a key prefix of its own (so its keys, secrets and queues meet no other
 * suite's), keys made straight in Redis, the `pnpm keys` CLI as a real process, and a webhook receiver.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { KeyStore, WebhookSecretStore, tenancyKeys, type Scope } from '@mserve/tenancy';
import { REDIS_URL, ROOT, freePort, request, spawnTs, waitUntil, type Proc } from '@mserve/testkit';
import IORedis from 'ioredis';

/** A key prefix of this suite's own. */
export function isolatedPrefix(tag: string): string {
  return `it-${tag}-${process.pid}-${Date.now().toString(36)}`;
}

/** Redis-side helpers over one connection. */
export function tenancyAdmin(prefix: string) {
  const redis = new IORedis(REDIS_URL);
  const keys = tenancyKeys(prefix);
  return {
    redis,
    keys: new KeyStore(redis, keys),
    secrets: new WebhookSecretStore(redis, keys),
    async createKey(tenant: string, scopes: Scope[]): Promise<{ id: string; key: string }> {
      const made = await new KeyStore(redis, keys).create(tenant, scopes);
      await new WebhookSecretStore(redis, keys).ensure(tenant);
      return made;
    },
    /** Deletes every key under the prefix. */
    async drop(): Promise<void> {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (found.length > 0) await redis.del(...found);
      } while (cursor !== '0');
    },
    close: () => redis.disconnect(),
  };
}

const run = promisify(execFile);

/** Runs `pnpm keys <args>` as users do (the CLI process, against the same Redis and prefix). */
export async function keysCli(prefix: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', 'packages/tenancy/src/cli.ts', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL, QUEUE_PREFIX: prefix },
    },
  );
}

/** Starts the notifier and waits for it to be ready. */
export async function startNotifier(env: Record<string, string>): Promise<Proc> {
  const proc = spawnTs(path.join(ROOT, 'apps/notifier/src/main.ts'), {
    NOTIFIER_HTTP_PORT: '0',
    HOST: '127.0.0.1',
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    ...env,
  });
  await waitUntil(
    () => {
      if (proc.child.exitCode !== null) throw new Error(`notifier exited:\n${proc.output()}`);
      return proc.output().includes('notifier ready');
    },
    240_000,
    'notifier',
  );
  return proc;
}

/** One delivery as the receiver got it. */
export interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback that keeps every delivery and answers 204. */
export async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    deliveries,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * Starts an app entry point and waits (up to `ms`: longer than testkit's minute, since this suite starts four
 * processes at once) until `ready` answers 200.
 */
export async function startApp(
  file: string,
  env: Record<string, string>,
  portVar: string,
  readyPath: string,
  ms = 240_000,
): Promise<{ proc: Proc; base: string }> {
  const port = await freePort();
  const proc = spawnTs(file, { [portVar]: String(port), ...env });
  const base = `http://127.0.0.1:${port}`;
  await waitUntil(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`${file} exited:\n${proc.output()}`);
      const r = await request(`${base}${readyPath}`).catch(() => undefined);
      return r?.status === 200;
    },
    ms,
    file,
  );
  return { proc, base };
}
