import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { repoRoot } from '@mserve/common';

export const ROOT = repoRoot(__dirname);

/** A `pnpm start` run as a user runs it: pnpm in front, in a process group of its own (as a terminal would). */
export interface Launch {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the URL the launcher printed as ready; rejects when it exits first or takes too long. */
  ready: (ms?: number) => Promise<string>;
  /** Exit code (null when killed by a signal) and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` to the whole process group, as Ctrl-C in a terminal does. */
  signalGroup: (signal: NodeJS.Signals) => void;
  /** For `finally`: a Ctrl-C if it still runs (the launcher stops its children), SIGKILL if that hangs. */
  cleanup: () => Promise<void>;
}

/** Starts `pnpm start` with `env` on top of this process's environment. */
export function launch(env: Record<string, string>): Launch {
  const child = spawn('pnpm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const ready = async (ms = 150_000): Promise<string> => {
    const end = Date.now() + ms;
    for (;;) {
      const m = /start: ready: (\S+)/.exec(out);
      if (m) return m[1] ?? '';
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`launcher exited early:\n${out}`);
      if (Date.now() > end) throw new Error(`launcher not ready:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const cleanup = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signalGroup('SIGINT');
    const timer = setTimeout(() => signalGroup('SIGKILL'), 40_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, output: () => out, ready, exited, signalGroup, cleanup };
}

/** True when something accepts TCP connections on `host:port`. */
export function listening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host, () => {
      s.end();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
