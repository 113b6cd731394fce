/**
 * API keys: `msk_<id>_<secret>`. The id (12 hex characters) names the key in Redis and in logs; the secret (32
 * random bytes, base64url) is never stored: only its SHA-256 is. A plain hash suffices because the secret is 256
 * random bits (nothing to guess from a dictionary), and it keeps every request's check to one cheap digest.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a key may do: submit work, read (and wait for) its tenant's jobs, or everything including admin. */
export const SCOPES = ['predict', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const KEY_RE = /^msk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const TENANT_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A key split into the part that finds it and the part that proves it. */
export interface ParsedKey {
  id: string;
  secret: string;
}

/** Splits `msk_<id>_<secret>`; null for anything else (the caller answers 401 AUTH_INVALID). */
export function parseApiKey(raw: string): ParsedKey | null {
  const m = KEY_RE.exec(raw);
  return m ? { id: m[1] as string, secret: m[2] as string } : null;
}

/** A new key: 48 random bits of id, 256 random bits of secret. */
export function newApiKey(): { id: string; key: string; secret: string } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, key: `msk_${id}_${secret}` };
}

/** Hex SHA-256 of a key's secret: what is stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares a presented secret with a stored hash in constant time (both sides are 32-byte digests). */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = createHash('sha256').update(secret, 'utf8').digest();
  const b = Buffer.from(storedHash, 'hex');
  return b.length === a.length && timingSafeEqual(a, b);
}

/** Parses a comma-separated scope list; throws naming the unknown ones. */
export function parseScopes(raw: string): Scope[] {
  const list = raw
    .split(/[,+]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = list.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (list.length === 0 || bad.length > 0) {
    throw new Error(`scopes must be some of ${SCOPES.join(', ')}${bad.length ? `; unknown: ${bad.join(', ')}` : ''}`);
  }
  return [...new Set(list)] as Scope[];
}

/** True when `scopes` grant `needed` (admin grants everything). */
export function hasScope(scopes: readonly Scope[], needed: Scope): boolean {
  return scopes.includes(needed) || scopes.includes('admin');
}

/** Tenant names: lowercase letters, digits and dashes, 1 to 63 characters (they become Redis key parts). */
export function checkTenant(tenant: string): string {
  if (!TENANT_RE.test(tenant)) {
    throw new Error(`tenant "${tenant.slice(0, 64)}" must be 1-63 lowercase letters, digits or dashes`);
  }
  return tenant;
}

/** One `AUTH_BOOTSTRAP_KEYS` entry: `<tenant>:<scope>+<scope>:<key>`. */
export interface BootstrapKey {
  tenant: string;
  scopes: Scope[];
  id: string;
  hash: string;
}

/**
 * Parses `AUTH_BOOTSTRAP_KEYS` (comma-separated `<tenant>:<scope>+<scope>:msk_...` entries); the keys are hashed at
 * once, so the plain text goes no further than this function. Errors never repeat a key.
 */
export function parseBootstrapKeys(entries: readonly string[]): BootstrapKey[] {
  return entries.map((entry, i) => {
    const [tenant = '', scopes = '', key = '', ...rest] = entry.split(':');
    const parsed = parseApiKey(key);
    if (rest.length > 0 || !parsed) {
      throw new Error(`AUTH_BOOTSTRAP_KEYS entry #${i + 1} is not <tenant>:<scope>+<scope>:msk_<id>_<secret>`);
    }
    return { tenant: checkTenant(tenant), scopes: parseScopes(scopes), id: parsed.id, hash: hashSecret(parsed.secret) };
  });
}
