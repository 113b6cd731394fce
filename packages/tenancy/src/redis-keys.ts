/** Where tenancy state lives in Redis, under the stack's BullMQ prefix so stacks sharing a Redis stay apart. */
export interface TenancyKeys {
  /** Hash of one API key: tenant, scopes, hash, createdAt, revokedAt. */
  apiKey(id: string): string;
  /** Set of every key id. */
  apiKeyIndex: string;
  /** Pub/sub channel announcing revocations (message: the key id). */
  revocations: string;
  /** JSON list of a tenant's webhook secrets, newest first. */
  webhookSecrets(tenant: string): string;
  /** Token bucket of one API key. */
  rateBucket(id: string): string;
  /** Sorted set of a tenant's unfinished jobs (member: job id, score: enqueue time). */
  openJobs(queue: string, tenant: string): string;
}

/**
 * The tenancy key names under `prefix` (the stack's QUEUE_PREFIX, `bull` by default). On a Redis Cluster the
 * key-store names share one hash tag, because a key is written with its index entry in one MULTI, which a cluster
 * refuses across slots; on one server or behind sentinels the names stay untagged, so existing keys keep working.
 * A tenant's open jobs sit under the queue's own name, which is tagged on a cluster already.
 */
export function tenancyKeys(prefix: string, opts: { cluster?: boolean } = {}): TenancyKeys {
  const base = opts.cluster ? `${prefix}:{mserve:auth}` : `${prefix}:mserve:auth`;
  return {
    apiKey: (id) => `${base}:key:${id}`,
    apiKeyIndex: `${base}:keys`,
    revocations: `${base}:revoked`,
    webhookSecrets: (tenant) => `${base}:whsec:${tenant}`,
    rateBucket: (id) => `${base}:rate:${id}`,
    openJobs: (queue, tenant) => `${prefix}:${queue}:mserve:tenant:${tenant}:open`,
  };
}
