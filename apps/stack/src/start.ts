/**
 * `pnpm start`: the whole service on one machine. Finds or starts Redis, fits the calibration artifact when it is
 * missing, starts the gateway, the worker(s) and (when present) the notifier, prints the URL, and on SIGINT/SIGTERM
 * stops them all gracefully (workers finish their batch) before exiting.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { assetPath, freePort, repoRoot } from '@mserve/common';
import { calibrationProblem, runCalibrate } from './calibration';
import { loadStackConfig } from './config';
import { startTs, stopChild, waitFor, type Child } from './procs';
import { redisAnswers, startPrivateRedis } from './redis';

const say = (line: string) => process.stdout.write(`start: ${line}\n`);
/** Longer than a worker's drain (SHUTDOWN_TIMEOUT_MS, 20 s by default). */
const GRACE_MS = 25_000;

async function main(): Promise<void> {
  const root = repoRoot();
  const config = loadStackConfig();
  const modelDir = config.MODEL_DIR ? path.resolve(root, config.MODEL_DIR) : assetPath('models/mnist_model');
  const calibrationDir = path.resolve(root, config.CALIBRATION_DIR);
  const children: Child[] = [];
  let redis: Child | undefined;
  let stopping = false;

  const shutdown = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    say(`${why}: stopping ${children.map((c) => c.name).join(', ') || 'nothing'}`);
    await Promise.all(children.map((c) => stopChild(c, GRACE_MS)));
    if (redis) await stopChild(redis, 5000);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

  let redisUrl = config.REDIS_URL;
  if (!(await redisAnswers(redisUrl))) {
    const started = await startPrivateRedis(config.REDIS_SERVER_BIN);
    redis = started.child;
    redisUrl = started.url;
    say(`no Redis at ${config.REDIS_URL}; started a private redis-server at ${redisUrl} (nothing persisted)`);
  }

  const problem = await calibrationProblem(modelDir, calibrationDir);
  if (problem) {
    say(`${problem}\nstart: fitting it now (about a minute)`);
    await runCalibrate(root, modelDir, calibrationDir);
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: redisUrl,
    PORT: String(config.PORT),
    MODEL_DIR: modelDir,
    CALIBRATION_DIR: calibrationDir,
  };
  const app = (name: string) => path.join(root, 'apps', name, 'src', 'main.ts');
  children.push(startTs('gateway', app('gateway'), env, root));
  for (let i = 0; i < config.STACK_WORKERS; i++) {
    const port = await freePort(i === 0 ? Number(process.env['WORKER_HTTP_PORT'] ?? 9100) : 0);
    children.push(startTs(`worker${i + 1}`, app('worker'), { ...env, WORKER_HTTP_PORT: String(port) }, root));
  }
  if (existsSync(app('notifier'))) {
    const port = await freePort(Number(process.env['NOTIFIER_HTTP_PORT'] ?? 9101));
    let secrets = process.env['WEBHOOK_SECRETS'];
    if (!secrets) {
      secrets = `whsec_${randomBytes(32).toString('base64')}`;
      say(`WEBHOOK_SECRETS unset: webhooks are signed with this session's secret ${secrets}`);
    }
    children.push(
      startTs(
        'notifier',
        app('notifier'),
        { ...env, NOTIFIER_HTTP_PORT: String(port), WEBHOOK_SECRETS: secrets },
        root,
      ),
    );
  }
  for (const c of children) {
    void c.exited.then(({ code, signal }) => {
      if (!stopping) void shutdown(`${c.name} exited (${signal ?? `code ${code}`})`, 1);
    });
  }

  const url = `http://localhost:${config.PORT}`;
  const ready = await waitFor(async () => (await fetch(`${url}/readyz`)).ok, 120_000);
  if (!ready) return shutdown(`the gateway did not become ready at ${url}/readyz`, 1);
  say(`ready: ${url}  (API docs ${url}/docs; try: curl -F image=@<digit.png> ${url}/v1/predict)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
