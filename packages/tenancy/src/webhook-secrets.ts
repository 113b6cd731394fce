/**
 * Per-tenant Standard Webhooks secrets, newest first. A rotation puts a new secret in front and keeps the previous
 * one, so deliveries carry both signatures until the tenant's receivers have the new one and `finish` drops the old.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import type IORedis from 'ioredis';
import { checkTenant } from './keys';
import type { TenancyKeys } from './redis-keys';

/** A fresh `whsec_` secret of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The per-tenant webhook secret store. */
export class WebhookSecretStore {
  constructor(
    private readonly redis: IORedis | Cluster,
    private readonly keys: TenancyKeys,
  ) {}

  /** The tenant's secrets, newest first; empty when it has none. */
  async get(tenant: string): Promise<string[]> {
    const text = await this.redis.get(this.keys.webhookSecrets(tenant));
    if (!text) return [];
    try {
      const list = JSON.parse(text) as unknown;
      return Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string') : [];
    } catch {
      return [];
    }
  }

  /** Gives the tenant a secret when it has none; returns the secrets it has afterwards. */
  async ensure(tenant: string): Promise<string[]> {
    const k = this.keys.webhookSecrets(checkTenant(tenant));
    await this.redis.set(k, JSON.stringify([newWebhookSecret()]), 'NX');
    return this.get(tenant);
  }

  /** Starts a rotation: a new secret first, the current newest kept second (older ones dropped). */
  async rotate(tenant: string): Promise<string[]> {
    const current = await this.get(checkTenant(tenant));
    const next = [newWebhookSecret(), ...current.slice(0, 1)];
    await this.redis.set(this.keys.webhookSecrets(tenant), JSON.stringify(next));
    return next;
  }

  /** Ends a rotation: only the newest secret stays. */
  async finish(tenant: string): Promise<string[]> {
    const current = await this.get(checkTenant(tenant));
    if (current.length > 1) await this.redis.set(this.keys.webhookSecrets(tenant), JSON.stringify(current.slice(0, 1)));
    return current.slice(0, 1);
  }
}
