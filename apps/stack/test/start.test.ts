import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, repoRoot } from '@mserve/common';

const ROOT = repoRoot(__dirname);

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.end();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('pnpm start', () => {
  it('starts a private Redis when none answers, serves predictions at the printed URL, and stops cleanly on SIGTERM', async () => {
    const [port, deadRedis, workerPort, notifierPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'apps/stack/src/start.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        REDIS_URL: `redis://127.0.0.1:${deadRedis}`,
        WORKER_HTTP_PORT: String(workerPort),
        NOTIFIER_HTTP_PORT: String(notifierPort),
        QUEUE_NAME: `it-stack-${process.pid}`,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const end = Date.now() + 150_000;
      while (!/start: ready: (\S+)/.test(out)) {
        if (child.exitCode !== null) throw new Error(`launcher exited early:\n${out}`);
        if (Date.now() > end) throw new Error(`launcher not ready:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const url = /start: ready: (\S+)/.exec(out)![1]!;
      expect(url).toBe(`http://localhost:${port}`);
      const redisPort = Number(/private redis-server at redis:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
      expect(await listening(redisPort)).toBe(true);

      const image = readFileSync(path.join(ROOT, process.env['ASSETS_DIR'] ?? '../shared', 'data/images/5.png'));
      const res = await fetch(`${url}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: image,
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe('completed');

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toMatch(/SIGTERM: stopping gateway, worker1/);
      expect(await listening(port)).toBe(false);
      expect(await listening(redisPort)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 180_000);
});
