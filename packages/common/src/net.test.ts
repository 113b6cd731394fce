import net from 'node:net';
import { freePort } from './net';

describe('freePort', () => {
  it('returns a port that can be listened on', async () => {
    const port = await freePort();
    const srv = net.createServer();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
    srv.close();
    expect(port).toBeGreaterThan(0);
  });

  it('falls back to another port when the preferred one is taken', async () => {
    const srv = net.createServer();
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
    const taken = (srv.address() as net.AddressInfo).port;
    try {
      const port = await freePort(taken);
      expect(port).not.toBe(taken);
    } finally {
      srv.close();
    }
  });
});
