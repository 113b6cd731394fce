import net from 'node:net';

/**
 * A TCP port free on loopback right now, or `preferred` when that one is free. Used by the launcher, the
 * benchmark and the integration tests, which all start processes on ports nobody else holds.
 */
export function freePort(preferred = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err) => (preferred ? freePort(0).then(resolve, reject) : reject(err)));
    srv.listen(preferred, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
