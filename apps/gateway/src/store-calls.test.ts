import { AppError } from '@mserve/common';
import { REDIS_URL } from '@mserve/testkit';
import IORedis from 'ioredis';
import { RedisCalls } from './store-calls';

describe('Redis calls of the gateway', () => {
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  afterAll(() => redis.disconnect());

  it('answers with what the operation returns while Redis is up', async () => {
    const calls = new RedisCalls(redis, { timeoutMs: 1000 });
    await calls.whenConnected(5000);
    expect(calls.hasConnected).toBe(true);
    await expect(calls.call(() => redis.ping())).resolves.toBe('PONG');
  });

  it('fails at once with REDIS_UNAVAILABLE naming its subject when the connection is not up', async () => {
    const down = new IORedis({ port: 1, lazyConnect: true, enableOfflineQueue: false });
    const calls = new RedisCalls(down, { timeoutMs: 1000, subject: 'the key store' });
    expect(calls.hasConnected).toBe(false);
    const err = await calls.call(() => down.ping()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'REDIS_UNAVAILABLE', message: 'the key store is unavailable; retry shortly' });
    down.disconnect();
  });

  it('gives up on an operation past its deadline instead of hanging the request', async () => {
    const calls = new RedisCalls(redis, { timeoutMs: 50 });
    await calls.whenConnected(5000);
    const started = Date.now();
    const err = await calls.call(() => new Promise<never>(() => undefined)).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'REDIS_UNAVAILABLE',
      message: 'the job queue did not answer in time; retry shortly',
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('turns a Redis error into REDIS_UNAVAILABLE and keeps an AppError as it is', async () => {
    const calls = new RedisCalls(redis, { timeoutMs: 1000 });
    await calls.whenConnected(5000);
    await expect(calls.call(() => redis.call('NOSUCHCOMMAND'))).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    const own = new AppError('TENANT_QUOTA', 'full');
    await expect(calls.call(() => Promise.reject(own))).rejects.toBe(own);
  });

  it('confirms a durable write on the replicas and refuses it when none holds it in time', async () => {
    // The test Redis has no replicas: WAIT 1 times out, so the write must not be acknowledged.
    const calls = new RedisCalls(redis, { timeoutMs: 2000, durable: { replicas: 1, timeoutMs: 50 } });
    await calls.whenConnected(5000);
    await expect(calls.write(() => redis.set('mserve:test:store-calls', '1', 'PX', 1000))).rejects.toMatchObject({
      code: 'REDIS_UNAVAILABLE',
    });
    const plain = new RedisCalls(redis, { timeoutMs: 2000 });
    await expect(plain.write(() => redis.set('mserve:test:store-calls', '1', 'PX', 1000))).resolves.toBe('OK');
  });
});
