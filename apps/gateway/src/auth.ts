/**
 * Who is calling: `Authorization: Bearer msk_<id>_<secret>` to a tenant and its scopes. The logic is plain functions
 * over a key lookup port (`auth-store.ts` is the Redis side); the middleware only reads the header and attaches the
 * caller. A key's secret never leaves this file: errors and logs name the key id at most.
 */
import { AppError } from '@mserve/common';
import { hasScope, parseApiKey, secretMatches, type KeyRecord, type Scope } from '@mserve/tenancy';
import type { RequestHandler } from 'express';

/** The authenticated caller of a request. */
export interface Caller {
  tenant: string;
  /** The API key's id; null when auth is off. */
  keyId: string | null;
  scopes: readonly Scope[];
}

declare module 'http' {
  interface IncomingMessage {
    /** Set by {@link requireScope} on /v1 routes. */
    caller?: Caller;
  }
}

/** The tenant every job belongs to while `AUTH_MODE=off` (and jobs made before tenants existed). */
export const DEFAULT_TENANT = 'default';

/** The caller of every request while auth is off: the one tenant, every scope. */
export const ANONYMOUS: Caller = { tenant: DEFAULT_TENANT, keyId: null, scopes: ['predict', 'read', 'admin'] };

/** Finds a key's record by id (null when unknown); rejects with REDIS_UNAVAILABLE when the store is away. */
export type KeyLookup = (id: string) => Promise<KeyRecord | null>;

/** The `WWW-Authenticate` challenge of every 401 (RFC 6750). */
export function bearerChallenge(code: string): string {
  return code === 'AUTH_INVALID' ? 'Bearer realm="mserve", error="invalid_token"' : 'Bearer realm="mserve"';
}

function refuse(code: 'AUTH_MISSING' | 'AUTH_INVALID', message: string): AppError {
  return new AppError(code, message);
}

/**
 * The caller of an `Authorization` header: 401 AUTH_MISSING without a bearer credential, 401 AUTH_INVALID for one
 * that is malformed, unknown, revoked or whose secret does not match (one message for all four, so a guess learns
 * nothing about which ids exist).
 */
export async function authenticate(header: string | undefined, lookup: KeyLookup): Promise<Caller> {
  if (!/^Bearer(?:[ \t]|$)/i.test(header ?? '')) {
    throw refuse('AUTH_MISSING', 'an API key is required: send Authorization: Bearer <key>');
  }
  const invalid = () => refuse('AUTH_INVALID', 'the API key is not valid (malformed, unknown or revoked)');
  // A Bearer credential that is not one token is a malformed key, not a missing one.
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  const parsed = m ? parseApiKey(m[1] ?? '') : null;
  if (!parsed) throw invalid();
  const rec = await lookup(parsed.id);
  if (!rec || rec.revokedAt || !secretMatches(parsed.secret, rec.hash)) throw invalid();
  return { tenant: rec.tenant, keyId: rec.id, scopes: rec.scopes };
}

/** 403 AUTH_SCOPE unless the caller's key grants `scope`. */
export function checkScope(caller: Caller, scope: Scope): void {
  if (!hasScope(caller.scopes, scope)) {
    throw new AppError('AUTH_SCOPE', `this API key lacks the ${scope} scope`, { scope });
  }
}

/** Per-request checks after authentication (the rate limit); may set response headers. */
export type AfterAuth = (caller: Caller, setHeaders: (h: Record<string, string>) => void) => Promise<void>;

/**
 * Middleware of a /v1 route: authenticates (or, with auth off, takes the anonymous caller), checks `scope`, runs
 * the rate limit, and attaches the caller to the request.
 */
export function requireScope(
  scope: Scope,
  auth: { mode: 'off' | 'required'; lookup: KeyLookup; after?: AfterAuth },
): RequestHandler {
  return (req, res, next) => {
    if (auth.mode === 'off') {
      req.caller = ANONYMOUS;
      return next();
    }
    authenticate(req.headers.authorization, auth.lookup)
      .then(async (caller) => {
        checkScope(caller, scope);
        await auth.after?.(caller, (h) => res.set(h));
        req.caller = caller;
        next();
      })
      .catch(next);
  };
}

/**
 * The admin pages' guard (`/admin/queues`): the `admin` scope, with the key also taken as the password of HTTP
 * Basic auth, because a browser opening the dashboard cannot send a bearer header but prompts for Basic
 * credentials when challenged. Off mode lets everyone in, as for /v1.
 */
export function requireAdmin(auth: { mode: 'off' | 'required'; lookup: KeyLookup; after?: AfterAuth }): RequestHandler {
  const check = requireScope('admin', auth);
  return (req, res, next) => {
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const pair = Buffer.from(basic[1], 'base64').toString('utf8');
      req.headers.authorization = `Bearer ${pair.slice(pair.indexOf(':') + 1)}`;
    }
    check(req, res, (err?: unknown) => {
      if (err) res.set('WWW-Authenticate', 'Basic realm="mserve admin", charset="UTF-8"');
      next(err);
    });
  };
}

/** The caller attached by {@link requireScope} (the anonymous one on routes without it). */
export function callerOf(req: { caller?: Caller }): Caller {
  return req.caller ?? ANONYMOUS;
}

/**
 * A key lookup with a short cache in front (`ttlMs`), and `forget(id)` for revocations announced by pub/sub: a
 * revoked key is refused at once where the announcement arrived, and within `ttlMs` everywhere else.
 */
export function cachedLookup(lookup: KeyLookup, ttlMs: number): { lookup: KeyLookup; forget(id: string): void } {
  const cache = new Map<string, { rec: KeyRecord | null; until: number }>();
  return {
    forget: (id) => cache.delete(id),
    lookup: async (id) => {
      const hit = cache.get(id);
      if (hit && hit.until > Date.now()) return hit.rec;
      const rec = await lookup(id);
      if (ttlMs > 0) {
        if (cache.size > 10_000) cache.clear();
        cache.set(id, { rec, until: Date.now() + ttlMs });
      }
      return rec;
    },
  };
}
