/** API keys in Redis: one hash per key holding its tenant, scopes and the SHA-256 of its secret, never the secret. */
import type { Cluster, default as IORedis } from 'ioredis';
import { checkTenant, hashSecret, newApiKey, type BootstrapKey, type Scope } from './keys';
import type { TenancyKeys } from './redis-keys';

/** A stored key as the gateway and `pnpm keys list` see it. */
export interface KeyRecord {
  id: string;
  tenant: string;
  scopes: Scope[];
  /** Hex SHA-256 of the secret. */
  hash: string;
  createdAt: string;
  revokedAt?: string;
  /** `cli` or `bootstrap` (from AUTH_BOOTSTRAP_KEYS). */
  source: string;
}

/** The key store over one Redis connection. */
export class KeyStore {
  constructor(
    private readonly redis: IORedis | Cluster,
    private readonly keys: TenancyKeys,
  ) {}

  /** Creates a key; returns the full key text, which exists nowhere else afterwards. */
  async create(tenant: string, scopes: Scope[]): Promise<{ id: string; key: string }> {
    const { id, key, secret } = newApiKey();
    await this.write({ id, tenant: checkTenant(tenant), scopes, hash: hashSecret(secret), source: 'cli' });
    return { id, key };
  }

  private async write(r: Omit<KeyRecord, 'createdAt'>, onlyIfNew = false): Promise<boolean> {
    const k = this.keys.apiKey(r.id);
    if (onlyIfNew && (await this.redis.exists(k)) === 1) return false;
    await this.redis
      .multi()
      .hset(k, {
        tenant: r.tenant,
        scopes: r.scopes.join(','),
        hash: r.hash,
        createdAt: new Date().toISOString(),
        source: r.source,
      })
      .sadd(this.keys.apiKeyIndex, r.id)
      .exec();
    return true;
  }

  /**
   * Writes bootstrap keys that are not in Redis yet. A key already there is left alone, so revoking a bootstrap key
   * with `pnpm keys revoke` sticks across restarts.
   */
  async ensureBootstrap(list: readonly BootstrapKey[]): Promise<number> {
    let added = 0;
    for (const b of list) {
      if (await this.write({ ...b, source: 'bootstrap' }, true)) added++;
    }
    return added;
  }

  /** One key's record, or null when the id is unknown. */
  async get(id: string): Promise<KeyRecord | null> {
    const h = await this.redis.hgetall(this.keys.apiKey(id));
    if (!h['hash'] || !h['tenant']) return null;
    return {
      id,
      tenant: h['tenant'],
      scopes: (h['scopes'] ?? '').split(',').filter((s) => s !== '') as Scope[],
      hash: h['hash'],
      createdAt: h['createdAt'] ?? '',
      source: h['source'] ?? 'cli',
      ...(h['revokedAt'] ? { revokedAt: h['revokedAt'] } : {}),
    };
  }

  /** Every key, oldest first. */
  async list(): Promise<KeyRecord[]> {
    const ids = await this.redis.smembers(this.keys.apiKeyIndex);
    const all = await Promise.all(ids.map((id) => this.get(id)));
    return all.filter((r): r is KeyRecord => r !== null).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * Revokes a key: marks it (the record stays, so `list` shows it and a bootstrap entry is not re-created) and
   * announces the id so every gateway drops it from its cache at once. False when the id is unknown.
   */
  async revoke(id: string): Promise<boolean> {
    const k = this.keys.apiKey(id);
    if ((await this.redis.exists(k)) === 0) return false;
    await this.redis.hset(k, 'revokedAt', new Date().toISOString());
    await this.redis.publish(this.keys.revocations, id);
    return true;
  }
}
