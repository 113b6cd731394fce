import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@mserve/common';

/** A child process started by the benchmark, with its role name for reports. */
export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
}

/**
 * Runs a TypeScript entry point in a plain `node` process with tsx registered in-process (not the tsx CLI, which
 * would add a parent process and hide the real PID from the CPU/RSS sampler). Output goes to a log file.
 */
export function spawnTs(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  logDir: string,
  nodeArgs: string[] = [],
): Proc {
  mkdirSync(logDir, { recursive: true });
  const root = repoRoot();
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', '--conditions=development', path.join(root, entry)],
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log = createWriteStream(path.join(logDir, `${name}.log`));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  if (child.pid === undefined) throw new Error(`failed to start ${name}`);
  return { name, child, pid: child.pid };
}

/** Starts a throwaway redis-server on `port` with no persistence. */
export function spawnRedis(port: number): Proc {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  if (child.pid === undefined) throw new Error('failed to start redis-server');
  return { name: 'redis', child, pid: child.pid };
}

/** Polls `url` until it answers 2xx or `timeoutMs` passes. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}

/** Sends SIGTERM and waits for exit, escalating to SIGKILL after `graceMs`. */
export async function stopProc(p: Proc, graceMs = 15000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Waits for a child to print one JSON line on stdout (used by the echo server to report its port). */
export function firstJsonLine<T>(p: Proc, timeoutMs = 20000): Promise<T> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${p.name} printed nothing in ${timeoutMs} ms`)), timeoutMs);
    p.child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(buf.slice(0, nl)) as T);
        } catch (e) {
          reject(e as Error);
        }
      }
    });
  });
}
