import net from 'node:net';
import {
  GATEWAY_MAIN,
  REDIS_URL,
  closeHttp,
  dropQueue,
  freePort,
  postImage,
  request,
  sampleImages,
  spawnTs,
  startGateway,
  uniqueQueue,
  waitUntil,
} from '@mserve/testkit';

afterAll(() => closeHttp());

describe('gateway startup', () => {
  it('ends with one clear line and exit code 1 when its port is taken', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, r));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const proc = spawnTs(GATEWAY_MAIN, { PORT: String(port), REDIS_URL, QUEUE_NAME: uniqueQueue('busy-port') });
      const timer = setTimeout(() => void proc.stop('SIGKILL'), 30_000);
      const code = await proc.exited;
      clearTimeout(timer);
      expect(code).toBe(1);
      // Start-up logs (structured JSON lines, such as the AUTH_MODE=off warning) may come first; what the operator
      // reads last is one plain line, no stack trace.
      const lines = proc.output().trim().split('\n');
      expect(lines.filter((l) => !l.startsWith('{'))).toEqual([
        `gateway: PORT ${port} is already in use (EADDRINUSE); set PORT to a free port`,
      ]);
      expect(lines[lines.length - 1]).toMatch(/^gateway: PORT \d+ is already in use/);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  }, 40_000);

  it('listens on HOST only', async () => {
    // 127.0.0.2 is a loopback address of its own on Linux: a gateway bound to it is not reachable on 127.0.0.1.
    const port = await freePort();
    const queue = uniqueQueue('host');
    const proc = spawnTs(GATEWAY_MAIN, { PORT: String(port), HOST: '127.0.0.2', REDIS_URL, QUEUE_NAME: queue });
    try {
      await waitUntil(
        async () => {
          if (proc.child.exitCode !== null) throw new Error(`gateway exited:\n${proc.output()}`);
          return (await request(`http://127.0.0.2:${port}/healthz`).catch(() => undefined))?.status === 200;
        },
        60_000,
        'the gateway on 127.0.0.2',
      );
      await expect(request(`http://127.0.0.1:${port}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await proc.stop();
      await dropQueue(queue);
    }
  }, 70_000);

  it('answers a long-poll in flight and exits 0 on SIGTERM', async () => {
    const queue = uniqueQueue('sigterm');
    // No worker: the job stays queued and the long-poll is still waiting when the signal arrives.
    const { proc, base } = await startGateway({ REDIS_URL, QUEUE_NAME: queue });
    try {
      const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;
      const accepted = await postImage(base, '/v1/jobs', digit);
      expect(accepted.status).toBe(202);
      const poll = request(`${base}/v1/jobs/${accepted.body.id}?wait=20`);
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      const exited = proc.stop('SIGTERM', 40_000);
      const answer = await poll;
      expect(answer.status).toBe(200);
      expect(answer.body.status).toBe('queued');
      expect(await exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(proc.output()).toMatch(/gateway stopped/);
    } finally {
      await proc.stop('SIGKILL');
      await dropQueue(queue);
    }
  }, 70_000);
});
