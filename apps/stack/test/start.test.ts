import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, resolveAssetsDir } from '@mserve/common';
import { launch, listening } from './launch';

/** An address of this machine other than loopback, to show the stack is not reachable from the network. */
function externalAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

describe('pnpm start', () => {
  it('starts a private Redis when none answers, serves predictions on 127.0.0.1 only, and Ctrl-C stops it cleanly with exit 0', async () => {
    const [port, deadRedis] = await Promise.all([freePort(), freePort()]);
    const stack = launch({
      PORT: String(port),
      REDIS_URL: `redis://127.0.0.1:${deadRedis}`,
      WORKER_HTTP_PORT: '0',
      NOTIFIER_HTTP_PORT: '0',
    });
    try {
      const url = await stack.ready();
      expect(url).toBe(`http://127.0.0.1:${port}`);
      const redisPort = Number(/private redis-server at redis:\/\/127\.0\.0\.1:(\d+)/.exec(stack.output())?.[1]);
      expect(await listening(redisPort)).toBe(true);
      const outside = externalAddress();
      if (outside) expect(await listening(port, outside)).toBe(false);

      const image = readFileSync(path.join(resolveAssetsDir(), 'data/images/5.png'));
      const res = await fetch(`${url}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: image,
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe('completed');

      // Ctrl-C in a terminal: SIGINT to pnpm and the launcher at once.
      stack.signalGroup('SIGINT');
      expect(await stack.exited).toEqual({ code: 0, signal: null });
      expect(stack.output()).toMatch(/Ctrl-C: stopping gateway, worker1, notifier/);
      expect(stack.output()).toMatch(/start: stopped cleanly/);
      expect(stack.output()).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
      expect(await listening(port)).toBe(false);
      expect(await listening(redisPort)).toBe(false);
    } finally {
      await stack.cleanup();
    }
  }, 180_000);
});
