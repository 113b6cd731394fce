import net from 'node:net';
import { GATEWAY_MAIN, REDIS_URL, spawnTs, uniqueQueue } from '@mserve/testkit';

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
      expect(proc.output().trim().split('\n')).toEqual([
        `gateway: PORT ${port} is already in use (EADDRINUSE); set PORT to a free port`,
      ]);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  }, 40_000);
});
