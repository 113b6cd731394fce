import IORedis, { Cluster, type RedisOptions } from 'ioredis';
import { clusterOptions, redisOptions, type RedisEndpoint, type RedisRole } from './options';

/** A connection to one server, to a Sentinel-managed primary, or to a Redis Cluster. */
export type RedisClient = IORedis | Cluster;

/**
 * The one way the apps connect to Redis: by URL (password, `rediss://` TLS), through sentinels or to a cluster,
 * whichever `endpoint` names. BullMQ takes the result as its `connection` (it duplicates it for blocking commands);
 * give workers and queue events `role: 'blocking'`.
 */
export function createRedis(
  endpoint: RedisEndpoint,
  role: RedisRole,
  overrides: Partial<RedisOptions> = {},
): RedisClient {
  if (endpoint.REDIS_CLUSTER_NODES.length > 0) {
    const { nodes, options } = clusterOptions(endpoint, role, overrides);
    return new Cluster(nodes, options);
  }
  return new IORedis(redisOptions(endpoint, role, overrides));
}

/** True when `endpoint` is a Redis Cluster, whose queue keys must be hash-tagged. */
export function isCluster(endpoint: RedisEndpoint): boolean {
  return endpoint.REDIS_CLUSTER_NODES.length > 0;
}

/**
 * The name a BullMQ queue must have on `endpoint`: on a Redis Cluster every key of a queue must share one slot (its
 * Lua scripts touch several), so a name without a hash tag gets one (`webhooks` becomes `{webhooks}`); a name that
 * has one already, and any name on one server or behind sentinels, is kept as it is. Every process that reads or
 * writes the queue must call this with the same endpoint kind, so they agree on the keys.
 */
export function queueNameFor(endpoint: RedisEndpoint, name: string): string {
  if (!isCluster(endpoint) || /\{[^}]+\}/.test(name)) return name;
  return `{${name}}`;
}

/** Where Redis is, for logs: never the password. */
export function describeEndpoint(endpoint: RedisEndpoint): string {
  if (endpoint.REDIS_CLUSTER_NODES.length > 0) return `cluster ${endpoint.REDIS_CLUSTER_NODES.join(',')}`;
  if (endpoint.REDIS_SENTINELS.length > 0)
    return `sentinel ${endpoint.REDIS_SENTINEL_NAME}@${endpoint.REDIS_SENTINELS.join(',')}`;
  const u = new URL(endpoint.REDIS_URL);
  u.password = '';
  u.username = '';
  return u.toString();
}

/** The endpoint of a plain URL (tests, tools): no sentinels, no cluster. */
export function endpointOf(url: string): RedisEndpoint {
  return {
    REDIS_URL: url,
    REDIS_SENTINELS: [],
    REDIS_SENTINEL_NAME: 'mymaster',
    REDIS_SENTINEL_PASSWORD: '',
    REDIS_CLUSTER_NODES: [],
  };
}

/**
 * The `connection` to hand BullMQ (Queue, Worker, QueueEvents): options for one server or a Sentinel primary, so
 * BullMQ creates and owns its connections; a Cluster instance for a cluster, which BullMQ cannot build from options
 * (it duplicates the instance for blocking commands; the caller disconnects the instance itself).
 */
export function bullConnection(
  endpoint: RedisEndpoint,
  role: RedisRole,
  overrides: Partial<RedisOptions> = {},
): RedisOptions | Cluster {
  if (endpoint.REDIS_CLUSTER_NODES.length > 0) return createRedis(endpoint, role, overrides) as Cluster;
  return redisOptions(endpoint, role, overrides);
}
