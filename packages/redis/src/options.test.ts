import { parseEnv } from '@mserve/common';
import { clusterOptions, redisEnv, redisOptions } from './options';
import { FailoverSafeSentinelConnector } from './sentinel-connector';

const endpoint = (env: Record<string, string>) => parseEnv(redisEnv, env);

describe('redisOptions', () => {
  it('takes host, port, credentials and database from REDIS_URL', () => {
    const o = redisOptions(endpoint({ REDIS_URL: 'redis://app:p%40ss@cache.internal:6390/2' }), 'command');
    expect(o).toMatchObject({ host: 'cache.internal', port: 6390, username: 'app', password: 'p@ss', db: 2 });
    expect(o.tls).toBeUndefined();
    expect(o.maxRetriesPerRequest).toBeUndefined();
  });

  it('turns on TLS for rediss:// with the host as server name', () => {
    const o = redisOptions(endpoint({ REDIS_URL: 'rediss://:secret@redis.example.com' }), 'command');
    expect(o).toMatchObject({ host: 'redis.example.com', port: 6379, password: 'secret' });
    expect(o.tls).toEqual({ servername: 'redis.example.com' });
  });

  it('gives blocking connections the unlimited retries BullMQ workers require', () => {
    expect(redisOptions(endpoint({}), 'blocking').maxRetriesPerRequest).toBeNull();
  });

  it('finds the primary through the sentinels when REDIS_SENTINELS is set, keeping the data password', () => {
    const o = redisOptions(
      endpoint({
        REDIS_URL: 'redis://:datapw@ignored:1',
        REDIS_SENTINELS: 'sentinel-0:26379, sentinel-1:26380,sentinel-2',
        REDIS_SENTINEL_NAME: 'mserve',
        REDIS_SENTINEL_PASSWORD: 'sentpw',
      }),
      'blocking',
      { connectTimeout: 1234 },
    );
    expect(o.sentinels).toEqual([
      { host: 'sentinel-0', port: 26379 },
      { host: 'sentinel-1', port: 26380 },
      { host: 'sentinel-2', port: 26379 },
    ]);
    expect(o).toMatchObject({ name: 'mserve', sentinelPassword: 'sentpw', password: 'datapw', role: 'master' });
    expect(o.host).toBeUndefined();
    expect(o.connectTimeout).toBe(1234);
    expect(o.maxRetriesPerRequest).toBeNull();
    // ioredis' own connector can end an idle client for good during a failover (see sentinel-connector.ts).
    expect(o.Connector).toBe(FailoverSafeSentinelConnector);
  });

  it('resends a command that hit a demoted primary (READONLY) after reconnecting', () => {
    const o = redisOptions(endpoint({}), 'command');
    expect(o.reconnectOnError?.(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(o.reconnectOnError?.(new Error('ERR unknown command'))).toBe(false);
  });

  it('rejects a URL that is not redis:// or rediss://', () => {
    expect(() => redisOptions(endpoint({ REDIS_URL: 'http://x:1' }), 'command')).toThrow(/redis:\/\//);
  });
});

describe('clusterOptions', () => {
  it('lists the seed nodes and passes credentials and the offline-queue choice on', () => {
    const { nodes, options } = clusterOptions(
      endpoint({ REDIS_URL: 'redis://:pw@x', REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7001' }),
      'command',
      { enableOfflineQueue: false },
    );
    expect(nodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
    expect(options.enableOfflineQueue).toBe(false);
    expect(options.redisOptions).toMatchObject({ password: 'pw' });
    expect(options.redisOptions).not.toHaveProperty('host');
  });
});
