import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Queue } from 'bullmq';
import { reportsRequested } from '@mserve/common';

/** Shared pieces of the notifier integration tests: real processes, real Redis, real receivers on loopback. */

export const ROOT = path.resolve(__dirname, '../../..');
export const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
export const REDIS_URL = 'redis://127.0.0.1:6379';
/** NOTIFIER_ADMIN_TOKEN of the notifiers the tests start (the dead-letter endpoints need it). */
export const ADMIN_TOKEN = `test-admin-${randomBytes(12).toString('hex')}`;

/** A fresh `whsec_` secret. */
export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** A queue isolated from every other test by its own key prefix. */
export function isolatedQueue(): { queue: Queue; prefix: string; name: string } {
  const prefix = `test-notifier-${randomUUID()}`;
  const name = 'webhooks';
  const queue = new Queue(name, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
  return { queue, prefix, name };
}

/** A spawned notifier process. */
export interface NotifierProcess {
  proc: ChildProcess;
  port: number;
  output: () => string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /**
   * Signals the notifier. tsx runs the program in a child process and relays SIGTERM/SIGINT to it, but SIGKILL
   * cannot be relayed, so SIGKILL goes to the whole process group (the real notifier dies, not just the wrapper).
   */
  kill: (signal: 'SIGTERM' | 'SIGKILL') => void;
}

/** Starts `apps/notifier/src/main.ts` and resolves once it logged "notifier ready". */
export function startNotifierProcess(env: Record<string, string>): Promise<NotifierProcess> {
  const proc = spawn(TSX, ['--conditions=development', path.join(ROOT, 'apps/notifier/src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NOTIFIER_HTTP_PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL,
      LOG_LEVEL: 'info',
      NOTIFIER_ADMIN_TOKEN: ADMIN_TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const kill = (signal: 'SIGTERM' | 'SIGKILL'): void => {
    try {
      if (signal === 'SIGKILL' && proc.pid !== undefined) process.kill(-proc.pid, 'SIGKILL');
      else proc.kill(signal);
    } catch {
      // already gone
    }
  };
  let out = '';
  const exited = new Promise<number | string>((resolve) => {
    proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`notifier did not start:\n${out}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /"port":(\d+)[^\n]*"msg":"notifier ready"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]), output: () => out, exited, kill });
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', () => {
      clearTimeout(timer);
      kill('SIGKILL');
      reject(new Error(`notifier exited before ready:\n${out}`));
    });
  });
}

/** One request a receiver got. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  /** Status the receiver answered, or null when the sender went away first. */
  answered: number | null;
  /** True when the sender's connection closed before an answer (e.g. the notifier died). */
  aborted: boolean;
}

/** What a receiver answers to its n-th request (0-based): a status, optional headers, or 'hang'. */
export type Script = (
  n: number,
  req: http.IncomingMessage,
) => { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';

/** An HTTP receiver on loopback recording every request. */
export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** TCP connections accepted, whether or not a request followed. */
  connections: () => number;
  /** Resolves when `n` requests arrived. */
  waitFor: (n: number, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
}

/** Starts a receiver on `host` (use '::' for a dual-stack listener that also catches 127.0.0.1 and 0.0.0.0). */
export async function startReceiver(script: Script, host = '127.0.0.1'): Promise<Receiver> {
  const received: Received[] = [];
  let connections = 0;
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Received = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        answered: null,
        aborted: false,
      };
      const n = received.length;
      received.push(entry);
      res.on('close', () => {
        if (entry.answered === null) entry.aborted = true;
      });
      waiters.splice(0).forEach((w) => w());
      const action = script(n, req);
      if (action === 'hang') return;
      setTimeout(() => {
        res.writeHead(action.status, action.headers ?? {});
        res.end('{"ok":true}', () => {
          entry.answered = action.status;
        });
      }, action.delayMs ?? 0);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host === '::' ? '127.0.0.1' : host}:${port}/hook`,
    port,
    received,
    connections: () => connections,
    waitFor: (n, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(
          () => reject(new Error(`only ${received.length}/${n} requests arrived`)),
          timeoutMs,
        );
        const check = (): void => {
          if (received.length >= n) {
            clearTimeout(deadline);
            resolve();
          } else waiters.push(check);
        };
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `fn` until it returns a truthy value. */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A request to a notifier endpoint carrying the admin token. */
export function adminFetch(port: number, pathname: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${pathname}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers as Record<string, string> | undefined) },
  });
}

/** GETs JSON from a notifier endpoint (with the admin token). */
export async function getJson(port: number, pathname: string): Promise<unknown> {
  const res = await adminFetch(port, pathname);
  return res.json();
}

/**
 * Writes a suite's measured facts to `reports/notifier-<name>.json` (the source of numbers quoted about it), only
 * when asked with `REPORTS=1`: a plain `pnpm test` leaves the committed reports alone.
 */
export function writeReport(name: string, data: Record<string, unknown>): void {
  if (!reportsRequested()) return;
  mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
  writeFileSync(
    path.join(ROOT, `reports/notifier-${name}.json`),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), command: `pnpm jest apps/notifier/test/${name}.test.ts`, ...data }, null, 2)}\n`,
  );
}
