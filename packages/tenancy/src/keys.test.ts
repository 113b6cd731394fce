import {
  checkTenant,
  hasScope,
  hashSecret,
  newApiKey,
  parseApiKey,
  parseBootstrapKeys,
  parseScopes,
  secretMatches,
} from './keys';
import { LOW_PRIORITY_BASE, fairPriority } from './fair-share';
import { rateLimitHeaders } from './rate-limit';

describe('API keys', () => {
  it('makes keys of 256 random bits of secret that parse back to their id and secret', () => {
    const a = newApiKey();
    const b = newApiKey();
    expect(a.key).not.toBe(b.key);
    expect(Buffer.from(a.secret, 'base64url')).toHaveLength(32);
    expect(parseApiKey(a.key)).toEqual({ id: a.id, secret: a.secret });
  });

  it('refuses anything that is not msk_<12 hex>_<43 base64url>', () => {
    const { key } = newApiKey();
    for (const bad of ['', 'msk_', key.slice(0, -1), `${key}x`, key.replace('msk_', 'sk_'), key.toUpperCase()]) {
      expect(parseApiKey(bad)).toBeNull();
    }
  });

  it('matches a secret only against its own hash', () => {
    const a = newApiKey();
    const b = newApiKey();
    expect(secretMatches(a.secret, hashSecret(a.secret))).toBe(true);
    expect(secretMatches(b.secret, hashSecret(a.secret))).toBe(false);
    expect(secretMatches(a.secret, 'not-hex')).toBe(false);
  });

  it('parses scopes, refusing unknown ones; admin grants every scope', () => {
    expect(parseScopes('predict,read')).toEqual(['predict', 'read']);
    expect(parseScopes('read+read')).toEqual(['read']);
    expect(() => parseScopes('predict,write')).toThrow(/unknown: write/);
    expect(hasScope(['admin'], 'predict')).toBe(true);
    expect(hasScope(['read'], 'predict')).toBe(false);
  });

  it('accepts tenant names that are safe as Redis key parts only', () => {
    expect(checkTenant('acme-2')).toBe('acme-2');
    for (const bad of ['', 'Acme', 'a:b', 'a b', 'x'.repeat(64)]) expect(() => checkTenant(bad)).toThrow();
  });

  it('hashes AUTH_BOOTSTRAP_KEYS entries at once, and never repeats a key in an error', () => {
    const { key, id, secret } = newApiKey();
    expect(parseBootstrapKeys([`acme:predict+read:${key}`])).toEqual([
      { tenant: 'acme', scopes: ['predict', 'read'], id, hash: hashSecret(secret) },
    ]);
    expect(() => parseBootstrapKeys([`acme:${key}`])).toThrow(/entry #1/);
    try {
      parseBootstrapKeys([`acme:predict:${key}x`]);
    } catch (e) {
      expect(String(e)).not.toContain(secret);
    }
  });
});

describe('fair share and rate limit helpers', () => {
  it('puts every low job behind every normal one, ranks in order within each', () => {
    expect(fairPriority(1, false)).toBe(1);
    expect(fairPriority(5000, false)).toBe(5000);
    expect(fairPriority(1, true)).toBeGreaterThan(fairPriority(LOW_PRIORITY_BASE * 5, false));
    expect(fairPriority(LOW_PRIORITY_BASE * 5, true)).toBeLessThanOrEqual(2 ** 21);
  });

  it('writes the draft IETF RateLimit-Policy and RateLimit fields', () => {
    const h = rateLimitHeaders({ allowed: false, remaining: 0, retryAfterS: 2, resetS: 40 }, 2.5, 100);
    expect(h).toEqual({ 'RateLimit-Policy': '"per-key";q=100;w=40', RateLimit: '"per-key";r=0;t=2' });
  });
});
