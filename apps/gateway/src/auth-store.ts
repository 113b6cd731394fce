/**
 * The Redis side of authentication: key lookups (behind a short cache), revocations by pub/sub, bootstrap keys,
 * and the per-key rate limit. Connections of its own, failing fast like the job store's (503 while Redis is away).
 */
import { AppError, type Logger } from '@mserve/common';
import {
  KeyStore,
  WebhookSecretStore,
  parseBootstrapKeys,
  rateLimitHeaders,
  takeToken,
  tenancyKeys,
  withRateLimitScript,
  type KeyRecord,
} from '@mserve/tenancy';
import { createRedis, isCluster, type RedisClient, type RedisEndpoint } from '@mserve/redis';
import { cachedLookup, type AfterAuth, type KeyLookup } from './auth';
import type { GatewayConfig } from './config';
import { RedisCalls } from './store-calls';

type AuthConfig = Pick<
  GatewayConfig,
  | keyof RedisEndpoint
  | 'QUEUE_PREFIX'
  | 'REDIS_TIMEOUT_MS'
  | 'AUTH_MODE'
  | 'AUTH_BOOTSTRAP_KEYS'
  | 'AUTH_CACHE_MS'
  | 'RATE_LIMIT_PER_S'
  | 'RATE_LIMIT_BURST'
>;

/** Authentication state of a gateway. */
export class AuthStore {
  private readonly redis: ReturnType<typeof withRateLimitScript>;
  private readonly sub: RedisClient;
  private readonly keys: KeyStore;
  private readonly names: ReturnType<typeof tenancyKeys>;
  private readonly cache: { lookup: KeyLookup; forget(id: string): void };
  /** Fails fast with REDIS_UNAVAILABLE while Redis is away or slow, as the job store does. */
  private readonly calls: RedisCalls;

  constructor(
    private readonly config: AuthConfig,
    private readonly logger: Logger,
  ) {
    // The connection factory: follows a Sentinel failover or a cluster like the job store's.
    this.redis = withRateLimitScript(
      createRedis(config, 'command', {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: Math.max(1000, config.REDIS_TIMEOUT_MS),
      }),
    );
    this.redis.on('error', (err) => this.logger.debug({ err: err.message }, 'redis auth connection error'));
    this.calls = new RedisCalls(this.redis, { timeoutMs: config.REDIS_TIMEOUT_MS, subject: 'the key store' });
    this.names = tenancyKeys(config.QUEUE_PREFIX, { cluster: isCluster(config) });
    this.keys = new KeyStore(this.redis, this.names);
    this.cache = cachedLookup((id) => this.call(() => this.keys.get(id)), config.AUTH_CACHE_MS);
    // The subscriber queues its SUBSCRIBE until connected (it re-subscribes on reconnect by itself).
    this.sub = createRedis(config, 'blocking');
    this.sub.on('error', (err) => this.logger.debug({ err: err.message }, 'redis auth subscriber error'));
    if (config.AUTH_MODE === 'required') {
      void this.sub.subscribe(this.names.revocations).catch(() => undefined);
      this.sub.on('message', (_channel, id: string) => this.cache.forget(id));
    }
  }

  /** Key lookups for {@link requireScope}. */
  get lookup(): KeyLookup {
    return this.cache.lookup;
  }

  /** The per-key rate limit: sets the RateLimit headers, 429 RATE_LIMITED with Retry-After past the limit. */
  get rateLimit(): AfterAuth {
    const { RATE_LIMIT_PER_S: rate, RATE_LIMIT_BURST: burst } = this.config;
    return async (caller, setHeaders) => {
      if (rate <= 0 || caller.keyId === null) return;
      const id = caller.keyId;
      const d = await this.call(() => takeToken(this.redis, this.names.rateBucket(id), rate, burst));
      setHeaders(rateLimitHeaders(d, rate, burst));
      if (!d.allowed) {
        setHeaders({ 'Retry-After': String(Math.max(1, d.retryAfterS)) });
        throw new AppError('RATE_LIMITED', `this API key may make ${rate} requests per second (burst ${burst})`);
      }
    };
  }

  /**
   * Writes `AUTH_BOOTSTRAP_KEYS` into Redis (already hashed by the parser) and gives each of their tenants a
   * webhook secret. Waits for Redis (start-up), so a gateway never serves without its bootstrap keys.
   */
  async bootstrap(): Promise<void> {
    const list = parseBootstrapKeys(this.config.AUTH_BOOTSTRAP_KEYS);
    if (list.length === 0) return;
    const conn = createRedis(this.config, 'command', { maxRetriesPerRequest: 20 });
    conn.on('error', () => undefined);
    try {
      const added = await new KeyStore(conn, this.names).ensureBootstrap(list);
      const secrets = new WebhookSecretStore(conn, this.names);
      for (const tenant of new Set(list.map((b) => b.tenant))) await secrets.ensure(tenant);
      this.logger.info({ keys: list.map((b) => b.id), added }, 'bootstrap API keys in place');
    } finally {
      conn.disconnect();
    }
  }

  private call<T>(op: () => Promise<T>): Promise<T> {
    return this.calls.call(op);
  }

  async close(): Promise<void> {
    this.sub.disconnect();
    this.redis.disconnect();
  }
}

export type { KeyRecord };
