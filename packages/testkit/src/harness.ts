/**
 * Integration harness: real processes (gateway, worker, redis-server) on free ports, a unique queue per suite,
 * and a small HTTP client with a bounded socket pool. A package of its own because the gateway's and the worker's
 * integration suites both drive the same processes and apps never import each other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { assetPath, freePort, repoRoot, reportsRequested } from '@mserve/common';
import { syncQueueName } from '@mserve/contracts';
import { Queue } from 'bullmq';

/** Repository root, from which app entry points and reports/ are found. */
export const ROOT = repoRoot(__dirname);
export const GATEWAY_MAIN = path.join(ROOT, 'apps/gateway/src/main.ts');
export const WORKER_MAIN = path.join(ROOT, 'apps/worker/src/main.ts');
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A unique BullMQ queue name so suites never see each other's jobs. */
export function uniqueQueue(tag: string): string {
  return `it-${tag}-${process.pid}-${Date.now().toString(36)}`;
}

export { freePort };

/** A spawned process with its captured output. */
export interface Proc {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Sends SIGTERM (or `signal`) and waits for the exit, SIGKILL after `ms`. */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<number | null>;
}

function track(child: ChildProcess): Proc {
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM', ms = 15000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), ms);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/**
 * Starts a TypeScript entry point with tsx's loader inside one node process. (The `tsx` CLI runs the program in a
 * child process, so a SIGKILL sent to the CLI would leave the real program running.)
 */
export function spawnTs(file: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', file], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child);
}

/**
 * Starts a private redis-server (for tests that stop Redis); `--save ''` keeps nothing on disk. `args` add
 * options (`--requirepass`, `--tls-port` ...).
 */
export async function startRedisServer(port: number, args: string[] = []): Promise<Proc> {
  const p = track(
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  await waitUntil(async () => {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    return ok;
  }, 10_000);
  return p;
}

/** Polls `cond` every 50 ms until it holds; throws after `ms`. */
export async function waitUntil(cond: () => Promise<boolean> | boolean, ms: number, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An HTTP response with its body parsed as JSON when it is JSON. */
export interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
  /** Epoch ms when the response head arrived. */
  at: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One request through a keep-alive pool of 64 sockets (1,000 concurrent requests queue in the client). */
export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string; timeoutMs?: number } = {},
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent }, (res) => {
      const at = Date.now();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown = undefined;
        if ((res.headers['content-type'] ?? '').includes('json')) body = JSON.parse(text);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, at });
      });
    });
    req.setTimeout(opts.timeoutMs ?? 60_000, () => req.destroy(new Error(`timeout ${url}`)));
    req.once('error', reject);
    req.end(opts.body);
  });
}

/** POSTs an image as a raw body. */
export function postImage(
  base: string,
  route: string,
  image: Buffer,
  query = '',
  headers: Record<string, string> = {},
) {
  return request(`${base}${route}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'image/png', ...headers },
    body: image,
  });
}

/** The shared sample uploads (PNG and JPEG digits, photos). */
export function sampleImages(): Array<{ name: string; bytes: Buffer }> {
  // assetPath: ASSETS_DIR absolute or relative to the repository root, as every script reads it.
  const dir = assetPath('data/images');
  return readdirSync(dir)
    .filter((f) => /\.(png|jpe?g)$/i.test(f))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(path.join(dir, name)) }));
}

/** Starts the gateway and waits for /readyz (or only /healthz when Redis is expected down). */
export async function startGateway(
  env: Record<string, string>,
  expectReady = true,
  timeoutMs = 60_000,
): Promise<{ proc: Proc; base: string }> {
  return onFreePort(async (port) => {
    const base = `http://127.0.0.1:${port}`;
    const proc = spawnTs(GATEWAY_MAIN, { PORT: String(port), ...env });
    await untilAnswering(proc, `${base}${expectReady ? '/readyz' : '/healthz'}`, 'gateway', timeoutMs);
    return { proc, base };
  });
}

/** Starts a worker and waits for its /healthz. */
export async function startWorker(
  env: Record<string, string>,
  file = WORKER_MAIN,
  timeoutMs = 60_000,
): Promise<{ proc: Proc; port: number }> {
  return onFreePort(async (port) => {
    const proc = spawnTs(file, { WORKER_HTTP_PORT: String(port), ...env });
    await untilAnswering(proc, `http://127.0.0.1:${port}/healthz`, 'worker', timeoutMs);
    return { proc, port };
  });
}

/** Waits until `url` answers 200; kills `proc` and throws with its output if it exits or the time runs out. */
async function untilAnswering(proc: Proc, url: string, name: string, timeoutMs: number): Promise<void> {
  await waitUntil(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`${name} exited:\n${proc.output()}`);
      const r = await request(url).catch(() => undefined);
      return r?.status === 200;
    },
    timeoutMs,
    name,
  ).catch(async (e: unknown) => {
    await proc.stop('SIGKILL');
    throw e;
  });
}

/**
 * Runs `start` on a port that was free a moment ago, again on another one when the process lost it to a parallel
 * suite before it could bind (EADDRINUSE): between `freePort` and the process' listen, any socket of the machine
 * may take the port.
 */
async function onFreePort<T>(start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start(await freePort());
    } catch (e) {
      if (i >= attempts || !String((e as Error).message).includes('EADDRINUSE')) throw e;
    }
  }
}

/**
 * Writes measured numbers of a suite to `reports/serving-<name>.json` (the source of any number quoted), only when
 * asked with `REPORTS=1`: a plain `pnpm test` leaves the committed reports alone.
 */
export function writeReport(name: string, data: Record<string, unknown>): void {
  if (!reportsRequested()) return;
  const dir = path.join(ROOT, 'reports');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `serving-${name}.json`),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), command: `pnpm jest ${path.relative(ROOT, expect.getState().testPath ?? '')}`, ...data }, null, 2)}\n`,
  );
}

/** Closes the client's keep-alive sockets so the test process can exit. */
export function closeHttp(): void {
  agent.destroy();
}

/** Deletes every key of a test queue from the shared Redis (results would otherwise stay for RESULT_TTL_S). */
export async function dropQueue(name: string, redisUrl = REDIS_URL): Promise<void> {
  const q = new Queue(name, { connection: { url: redisUrl } });
  const sync = new Queue(syncQueueName(name), { connection: { url: redisUrl } });
  try {
    await q.obliterate({ force: true });
    await sync.obliterate({ force: true });
    const client = await q.client;
    await client.del(`bull:${name}:mserve:models`);
  } finally {
    await Promise.all([q.close(), sync.close()]);
  }
}
