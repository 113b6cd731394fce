import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { freePort, repoRoot } from '@mserve/common';

/**
 * Starts the real stack for end-to-end tests of the SDK and CLI: a private redis-server (so the fixed webhook
 * queue name cannot meet another suite's), the inference worker, the gateway and the notifier, each as the
 * process `pnpm start` would run.
 */

export const ROOT = repoRoot(__dirname);
export const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/** A spawned process with its output. */
export interface Proc {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL to the process group after `ms`. */
  stop(ms?: number): Promise<void>;
}

export { freePort };

function track(child: ChildProcess): Proc {
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-500_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    async stop(ms = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }, ms);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Starts a TypeScript entry point with tsx in its own process group. */
export function spawnTs(file: string, args: string[], env: Record<string, string>): Proc {
  return track(
    spawn(TSX, ['--conditions=development', path.join(ROOT, file), ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    }),
  );
}

/** Polls `cond` until it holds; throws after `ms`. */
export async function waitUntil(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True when `url` answers 200. */
export function ok(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Runs the CLI to completion; resolves with its exit code and output. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, ['--conditions=development', path.join(ROOT, 'packages/client/src/cli.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** The running stack. */
export interface Stack {
  gatewayUrl: string;
  notifierPort: number;
  stop(): Promise<void>;
  outputs(): string;
}

/** Starts redis, worker, gateway and notifier; `webhookEnv` goes to gateway and notifier. */
export async function startStack(
  webhookEnv: Record<string, string>,
  notifierEnv: Record<string, string>,
): Promise<Stack> {
  const procs: Proc[] = [];
  const stop = async (): Promise<void> => {
    // Reverse order: front ends first, Redis last.
    for (const p of [...procs].reverse()) await p.stop();
  };
  try {
    const redisPort = await freePort();
    const redis = track(
      spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      }),
    );
    procs.push(redis);
    const REDIS_URL = `redis://127.0.0.1:${redisPort}`;
    await waitUntil(
      () =>
        new Promise<boolean>((resolve) => {
          const s = net.connect(redisPort, '127.0.0.1', () => {
            s.end();
            resolve(true);
          });
          s.once('error', () => resolve(false));
        }),
      10_000,
      'redis',
    );
    const queue = `e2e-client-${process.pid}`;
    const [workerPort, gatewayPort, notifierPort] = [await freePort(), await freePort(), await freePort()];
    const worker = spawnTs('apps/worker/src/main.ts', [], {
      REDIS_URL,
      QUEUE_NAME: queue,
      WORKER_HTTP_PORT: String(workerPort),
    });
    procs.push(worker);
    const gateway = spawnTs('apps/gateway/src/main.ts', [], {
      REDIS_URL,
      QUEUE_NAME: queue,
      PORT: String(gatewayPort),
      ...webhookEnv,
    });
    procs.push(gateway);
    const notifier = spawnTs('apps/notifier/src/main.ts', [], {
      REDIS_URL,
      NOTIFIER_HTTP_PORT: String(notifierPort),
      ...webhookEnv,
      ...notifierEnv,
    });
    procs.push(notifier);
    const alive = (p: Proc, name: string): void => {
      if (p.child.exitCode !== null) throw new Error(`${name} exited:\n${p.output().slice(-3000)}`);
    };
    await waitUntil(
      async () => {
        [worker, gateway, notifier].forEach((p, i) => alive(p, ['worker', 'gateway', 'notifier'][i] ?? ''));
        return (
          (await ok(`http://127.0.0.1:${workerPort}/healthz`)) &&
          (await ok(`http://127.0.0.1:${gatewayPort}/readyz`)) &&
          (await ok(`http://127.0.0.1:${notifierPort}/readyz`))
        );
      },
      120_000,
      'worker, gateway and notifier',
    );
    return {
      gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
      notifierPort,
      stop,
      outputs: () => procs.map((p) => p.output().slice(-2000)).join('\n----\n'),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
