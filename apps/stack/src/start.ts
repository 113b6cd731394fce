/**
 * `pnpm start`: the whole service on one machine. Finds or starts Redis, takes a namespace of its own in it, fits
 * the calibration artifact when it is missing, starts the gateway, the worker(s) and the notifier on HOST
 * (127.0.0.1 by default), prints the URL, and on Ctrl-C, SIGTERM or SIGHUP stops them in order (the gateway first,
 * so nothing new arrives while the workers finish their batch) and exits 0.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { assetPath, freePort, repoRoot } from '@mserve/common';
import { createRedis, describeEndpoint, type RedisClient } from '@mserve/redis';
import { calibrationProblem, runCalibrate } from './calibration';
import { loadStackConfig } from './config';
import { acquireNamespace, stackPrefix, type Lease } from './namespace';
import { startTs, stopChild, waitFor, type Child } from './procs';
import { redisAnswers, startPrivateRedis } from './redis';

const say = (line: string) => process.stdout.write(`start: ${line}\n`);
/** Longer than a worker's drain (SHUTDOWN_TIMEOUT_MS, 20 s by default). */
const GRACE_MS = 25_000;

/** Where a client on this machine reaches a server listening on `host`. */
function reachableHost(host: string): string {
  if (host === '' || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

async function main(): Promise<void> {
  const root = repoRoot();
  const config = loadStackConfig();
  // MODEL_DIR alone is a single-model stack; otherwise the repository (by default every shared model).
  const repository = config.MODEL_DIR && !process.env['MODEL_REPOSITORY'] ? '' : config.MODEL_REPOSITORY;
  const modelDir = config.MODEL_DIR ? path.resolve(root, config.MODEL_DIR) : assetPath('models/mnist_model');
  const calibrationDir = path.resolve(root, config.CALIBRATION_DIR);
  const prefix = stackPrefix(config.STACK_PREFIX, config.PORT);
  const children: Child[] = [];
  // What to release on the way out; filled in as start-up proceeds (a stop may come at any point of it).
  const held: { redis?: Child; lease?: Lease; leaseConn?: RedisClient } = {};
  let stopping = false;

  const shutdown = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    say(`${why}: stopping ${children.map((c) => c.name).join(', ') || 'nothing'}`);
    // The gateway first: no new work arrives while workers finish theirs and the notifier its deliveries.
    await Promise.all(children.filter((c) => c.name === 'gateway').map((c) => stopChild(c, GRACE_MS)));
    await Promise.all(children.filter((c) => c.name !== 'gateway').map((c) => stopChild(c, GRACE_MS)));
    await held.lease?.release();
    held.leaseConn?.disconnect();
    if (held.redis) await stopChild(held.redis, 5000);
    say(code === 0 ? 'stopped cleanly' : 'stopped');
    process.exit(code);
  };
  // The children run in process groups of their own (see procs.ts), so a Ctrl-C reaches only this launcher (and
  // pnpm, which passes it on), and the stop above happens in order. A clean stop is a success: exit 0, which
  // also keeps pnpm from reporting ELIFECYCLE.
  process.on('SIGINT', () => void shutdown('Ctrl-C', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.on('SIGHUP', () => void shutdown('SIGHUP', 0));
  // Should the launcher itself fail, its children must not outlive it.
  process.on('exit', () => {
    for (const c of [...children, ...(held.redis ? [held.redis] : [])])
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGTERM');
  });

  let endpoint = { ...config };
  if (!(await redisAnswers(endpoint))) {
    const started = await startPrivateRedis(config.REDIS_SERVER_BIN);
    held.redis = started.child;
    endpoint = { ...endpoint, REDIS_URL: started.url, REDIS_SENTINELS: [], REDIS_CLUSTER_NODES: [] };
    say(
      `no Redis at ${describeEndpoint(config)}; started a private redis-server at ${started.url} (nothing persisted)`,
    );
  }
  const redisUrl = endpoint.REDIS_URL;
  held.leaseConn = createRedis(endpoint, 'command', { maxRetriesPerRequest: 1 });
  held.leaseConn.on('error', () => undefined);
  held.lease = await acquireNamespace(held.leaseConn, prefix, { pid: process.pid, port: config.PORT });
  say(`queues in namespace "${prefix}" of ${describeEndpoint(endpoint)} (STACK_PREFIX)`);

  const problem = await calibrationProblem(modelDir, calibrationDir);
  if (problem) {
    say(`${problem}\nstart: fitting it now (about a minute)`);
    await runCalibrate(root, modelDir, calibrationDir);
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: redisUrl,
    REDIS_SENTINELS: endpoint.REDIS_SENTINELS.join(','),
    REDIS_CLUSTER_NODES: endpoint.REDIS_CLUSTER_NODES.join(','),
    QUEUE_PREFIX: prefix,
    HOST: config.HOST,
    PORT: String(config.PORT),
    MODEL_DIR: modelDir,
    MODEL_REPOSITORY: repository,
    CALIBRATION_DIR: calibrationDir,
  };
  const app = (name: string) => path.join(root, 'apps', name, 'src', 'main.ts');
  children.push(startTs('gateway', app('gateway'), env, root));
  for (let i = 0; i < config.STACK_WORKERS; i++) {
    const port = await freePort(i === 0 ? Number(process.env['WORKER_HTTP_PORT'] ?? 9100) : 0);
    children.push(startTs(`worker${i + 1}`, app('worker'), { ...env, WORKER_HTTP_PORT: String(port) }, root));
  }
  const host = reachableHost(config.HOST);
  let notifierHint = '';
  if (existsSync(app('notifier'))) {
    const port = await freePort(Number(process.env['NOTIFIER_HTTP_PORT'] ?? 9101));
    let secrets = process.env['WEBHOOK_SECRETS'];
    if (!secrets) {
      secrets = `whsec_${randomBytes(32).toString('base64')}`;
      say(`WEBHOOK_SECRETS unset: webhooks are signed with this session's secret ${secrets}`);
    }
    const adminToken = process.env['NOTIFIER_ADMIN_TOKEN'] || randomBytes(18).toString('base64url');
    notifierHint = `; dead letters: curl -H 'authorization: Bearer ${adminToken}' http://${host}:${port}/dead-letters`;
    children.push(
      startTs(
        'notifier',
        app('notifier'),
        { ...env, NOTIFIER_HTTP_PORT: String(port), WEBHOOK_SECRETS: secrets, NOTIFIER_ADMIN_TOKEN: adminToken },
        root,
      ),
    );
  }
  for (const c of children) {
    void c.exited.then(({ code, signal }) => {
      if (!stopping) void shutdown(`${c.name} exited (${signal ?? `code ${code}`})`, 1);
    });
  }

  const url = `http://${host}:${config.PORT}`;
  const ready = await waitFor(async () => (await fetch(`${url}/readyz`)).ok, 120_000);
  if (!ready) return shutdown(`the gateway did not become ready at ${url}/readyz`, 1);
  if (repository) say(`models of ${repository}: curl ${url}/v1/models (versions, labels, states)`);
  say(
    `ready: ${url}  (playground ${url}/, API docs ${url}/docs; try: curl -F image=@<digit.png> ${url}/v1/predict${notifierHint})`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
