import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { acquireNamespace, NamespaceInUseError, stackPrefix } from './namespace';

describe('stack namespace', () => {
  const redis = new IORedis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  afterAll(() => redis.disconnect());

  it('defaults to one namespace per gateway port, or the one STACK_PREFIX names', () => {
    expect(stackPrefix('', 8080)).toBe('mserve-8080');
    expect(stackPrefix('', 8081)).not.toBe(stackPrefix('', 8080));
    expect(stackPrefix('demo', 8080)).toBe('demo');
  });

  it('refuses a second live holder, naming the first, and frees the namespace on release', async () => {
    const prefix = `test-ns-${randomUUID()}`;
    const first = await acquireNamespace(redis, prefix, { pid: process.pid, port: 1 });
    const err = await acquireNamespace(redis, prefix, { pid: process.pid, port: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NamespaceInUseError);
    expect((err as Error).message).toMatch(new RegExp(`pid ${process.pid} on .*gateway port 1.*STACK_PREFIX`));
    await first.release();
    expect(await redis.exists(first.key)).toBe(0);
    const second = await acquireNamespace(redis, prefix, { pid: process.pid, port: 2 });
    await second.release();
  });

  it('keeps the namespace past its TTL while the holder runs (heartbeat)', async () => {
    const prefix = `test-ns-${randomUUID()}`;
    const lease = await acquireNamespace(redis, prefix, { pid: process.pid, port: 1 }, 600);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await redis.exists(lease.key)).toBe(1);
    await lease.release();
  });

  it('takes over a namespace left behind by a process of this host that no longer exists', async () => {
    const prefix = `test-ns-${randomUUID()}`;
    const os = await import('node:os');
    const dead = { pid: 2 ** 22 + 12345, host: os.hostname(), port: 1, startedAt: new Date().toISOString() };
    await redis.set(`${prefix}:mserve:stack`, JSON.stringify(dead), 'PX', 60_000);
    const lease = await acquireNamespace(redis, prefix, { pid: process.pid, port: 2 });
    expect(JSON.parse((await redis.get(lease.key)) ?? '{}')).toMatchObject({ pid: process.pid, port: 2 });
    await lease.release();
  });
});
