import { spawn, type ChildProcess } from 'node:child_process';

/** A process the launcher started. */
export interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a TypeScript entry point in one node process (tsx's loader in-process, so signals reach it directly), in
 * a process group of its own: a Ctrl-C in the terminal reaches only the launcher, which stops its children in
 * order instead of all of them dropping Redis and each other at the same instant.
 */
export function startTs(name: string, file: string, env: NodeJS.ProcessEnv, cwd: string): Child {
  return track(
    name,
    spawn(process.execPath, ['--conditions=development', '--import', 'tsx', file], {
      cwd,
      env,
      stdio: 'inherit',
      detached: true,
    }),
  );
}

/** Wraps a spawned process with a promise of its exit. */
export function track(name: string, proc: ChildProcess): Child {
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
    proc.once('error', () => resolve({ code: 127, signal: null }));
  });
  return { name, proc, exited };
}

/** Sends SIGTERM and waits; SIGKILL after `graceMs`. */
export async function stopChild(c: Child, graceMs: number): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill('SIGTERM');
  const timer = setTimeout(() => c.proc.kill('SIGKILL'), graceMs);
  await c.exited;
  clearTimeout(timer);
}

/** Polls until `cond` holds or `ms` pass. */
export async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
