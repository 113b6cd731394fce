import type { ClusterOptions, RedisOptions } from 'ioredis';
import { env, type EnvConfig } from '@mserve/common';
import { FailoverSafeSentinelConnector } from './sentinel-connector';

/**
 * The variables that say where Redis is, shared by every app (spread into each app's env spec, so each README
 * documents them): one server by URL, a primary found through Sentinel, or a Redis Cluster.
 */
export const redisEnv = {
  REDIS_URL: env.str({
    doc: 'Redis holding the job queue: `redis://[user:password@]host:port[/db]`, `rediss://` for TLS; ignored when `REDIS_SENTINELS` or `REDIS_CLUSTER_NODES` is set (their password and TLS still come from it)',
    default: 'redis://127.0.0.1:6379',
  }),
  REDIS_SENTINELS: env.list({
    doc: 'Sentinels to ask for the primary (`host:port,host:port,...`); set, the apps follow failovers of `REDIS_SENTINEL_NAME`',
    default: [],
  }),
  REDIS_SENTINEL_NAME: env.str({ doc: 'name of the primary the sentinels monitor', default: 'mymaster' }),
  REDIS_SENTINEL_PASSWORD: env.str({
    doc: 'password of the sentinels themselves (`requirepass` of sentinel.conf); the data nodes use the one of `REDIS_URL`',
    default: '',
    secret: true,
  }),
  REDIS_CLUSTER_NODES: env.list({
    doc: 'seed nodes of a Redis Cluster (`host:port,...`); set, the inference queue names must be hash-tagged (`QUEUE_SHARDS` of 2 or more does it, or a `{tag}` in `QUEUE_NAME`); the webhook queue is tagged by itself (`{webhooks}`)',
    default: [],
  }),
};

/** Where Redis is, as parsed from {@link redisEnv}. */
export type RedisEndpoint = EnvConfig<typeof redisEnv>;

/**
 * What the connection is for. `command`: requests that must fail fast while Redis is away (the gateway's writes and
 * reads). `blocking`: BullMQ workers, queue events and anything that waits on blocking commands, which BullMQ
 * requires to retry forever (`maxRetriesPerRequest: null`).
 */
export type RedisRole = 'command' | 'blocking';

/** A `host:port` pair; the port defaults to `fallback`. */
export function parseHostPort(text: string, fallback: number): { host: string; port: number } {
  const i = text.lastIndexOf(':');
  if (i <= 0) return { host: text, port: fallback };
  const port = Number(text.slice(i + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad port in "${text}"`);
  return { host: text.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

/** Reconnect soon after an outage or failover (ioredis' default backs off to 2 s, BullMQ's to 20 s). */
function retryStrategy(times: number): number {
  return Math.min(100 * times, 1000);
}

/**
 * After a failover a client may still talk to the old primary, now a replica: a write then fails with READONLY.
 * Reconnecting (and resending the command, `2`) makes ioredis ask the sentinels for the new primary.
 */
function reconnectOnError(err: Error): boolean | 1 | 2 {
  return err.message.startsWith('READONLY') ? 2 : false;
}

/** The credentials, database and TLS of `REDIS_URL`, which apply whichever way the nodes are found. */
function urlOptions(url: string): RedisOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`REDIS_URL: expected redis:// or rediss://`);
  const db = Number(u.pathname.replace(/^\//, '') || '0');
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
  };
}

/**
 * ioredis options for one server or a Sentinel-managed primary: a pure function of the config, so each app (and
 * each test) gets the same behaviour on outages and failovers. `overrides` win (timeouts, offline queue).
 */
export function redisOptions(
  endpoint: RedisEndpoint,
  role: RedisRole,
  overrides: Partial<RedisOptions> = {},
): RedisOptions {
  const fromUrl = urlOptions(endpoint.REDIS_URL);
  const base: RedisOptions = {
    ...fromUrl,
    retryStrategy,
    reconnectOnError,
    ...(role === 'blocking' ? { maxRetriesPerRequest: null } : {}),
  };
  if (endpoint.REDIS_SENTINELS.length > 0) {
    const { host: _h, port: _p, ...rest } = base;
    return {
      ...rest,
      sentinels: endpoint.REDIS_SENTINELS.map((s) => parseHostPort(s, 26379)),
      name: endpoint.REDIS_SENTINEL_NAME,
      role: 'master',
      ...(endpoint.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: endpoint.REDIS_SENTINEL_PASSWORD } : {}),
      ...(fromUrl.tls ? { enableTLSForSentinelMode: true, sentinelTLS: fromUrl.tls } : {}),
      // Ask the sentinels again soon: during a failover they may not name the new primary for a few seconds.
      sentinelRetryStrategy: (times: number) => Math.min(100 * times, 1000),
      // Subscribe to the sentinels' +switch-master to reconnect at once instead of waiting for an error, with the
      // subscription tied to its connection (see FailoverSafeSentinelConnector: ioredis' own can end the client).
      failoverDetector: true,
      Connector: FailoverSafeSentinelConnector,
      ...overrides,
    };
  }
  return { ...base, ...overrides };
}

/** ioredis Cluster options for `REDIS_CLUSTER_NODES`, with the per-node options of {@link redisOptions}. */
export function clusterOptions(
  endpoint: RedisEndpoint,
  role: RedisRole,
  overrides: Partial<RedisOptions> = {},
): { nodes: Array<{ host: string; port: number }>; options: ClusterOptions } {
  const { host: _h, port: _p, ...node } = redisOptions({ ...endpoint, REDIS_SENTINELS: [] }, role, overrides);
  // The cluster reconnects the nodes itself; the per-node retry strategy would fight it.
  const { enableOfflineQueue, retryStrategy: _r, ...redisOpts } = node;
  return {
    nodes: endpoint.REDIS_CLUSTER_NODES.map((s) => parseHostPort(s, 6379)),
    options: {
      redisOptions: redisOpts,
      ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
      clusterRetryStrategy: retryStrategy,
      // Slots move during a resharding or failover: follow MOVED/ASK promptly.
      retryDelayOnMoved: 50,
      retryDelayOnFailover: 200,
    },
  };
}

/** How jobs spread over queues; the gateway and every worker must agree. */
export const queueShardsEnv = {
  QUEUE_SHARDS: env.int({
    doc: 'queues the jobs are spread over, each hash-tagged to its own Redis Cluster slot (`{QUEUE_NAME.i}`); the gateway picks one per job from its id, workers consume all; 1 keeps the plain queue name',
    default: 1,
    min: 1,
    max: 64,
  }),
};
