import net from 'node:net';
import { listenFailureLine } from './startup-error';

/** The error Node gives when listening on a port another server holds. */
async function busyPortError(): Promise<{ err: unknown; port: number }> {
  const holder = net.createServer();
  await new Promise<void>((r) => holder.listen(0, r));
  const port = (holder.address() as net.AddressInfo).port;
  const second = net.createServer();
  const err = await new Promise((r) => second.once('error', r).listen(port));
  await new Promise((r) => holder.close(r));
  return { err, port };
}

describe('listenFailureLine', () => {
  it('says in one line which port is busy and what to do', async () => {
    const { err, port } = await busyPortError();
    expect(listenFailureLine(err)).toBe(
      `gateway: PORT ${port} is already in use (EADDRINUSE); set PORT to a free port`,
    );
  });

  it('leaves every other startup failure to the log', () => {
    expect(listenFailureLine(new Error('MODEL_LOAD_FAILED'))).toBeNull();
    expect(listenFailureLine(Object.assign(new Error('x'), { code: 'ECONNREFUSED', syscall: 'connect' }))).toBeNull();
  });
});
