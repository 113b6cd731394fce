import { AppError } from '@mserve/common';
import { hashSecret, newApiKey, type KeyRecord } from '@mserve/tenancy';
import { authenticate, cachedLookup, checkScope } from './auth';

const made = newApiKey();
const record: KeyRecord = {
  id: made.id,
  tenant: 'acme',
  scopes: ['predict'],
  hash: hashSecret(made.secret),
  createdAt: '2026-01-01T00:00:00Z',
  source: 'cli',
};
const lookup = async (id: string) => (id === record.id ? record : null);
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: AppError) => e.code,
  );

describe('authenticate', () => {
  it('gives the tenant and scopes of a valid bearer key', async () => {
    await expect(authenticate(`Bearer ${made.key}`, lookup)).resolves.toEqual({
      tenant: 'acme',
      keyId: made.id,
      scopes: ['predict'],
    });
  });

  it('answers AUTH_MISSING without a bearer credential, AUTH_INVALID for a bad, unknown, forged or revoked one', async () => {
    expect(await codeOf(authenticate(undefined, lookup))).toBe('AUTH_MISSING');
    expect(await codeOf(authenticate(`Basic ${made.key}`, lookup))).toBe('AUTH_MISSING');
    expect(await codeOf(authenticate('Bearer nope', lookup))).toBe('AUTH_INVALID');
    expect(await codeOf(authenticate(`Bearer ${newApiKey().key}`, lookup))).toBe('AUTH_INVALID');
    const forged = `msk_${made.id}_${newApiKey().secret}`;
    expect(await codeOf(authenticate(`Bearer ${forged}`, lookup))).toBe('AUTH_INVALID');
    const revoked = async () => ({ ...record, revokedAt: '2026-01-02T00:00:00Z' });
    expect(await codeOf(authenticate(`Bearer ${made.key}`, revoked))).toBe('AUTH_INVALID');
  });

  it('never puts the key in the error message', async () => {
    const err = await authenticate(`Bearer msk_${made.id}_${newApiKey().secret}`, lookup).catch((e: Error) => e);
    expect(String((err as Error).message)).not.toContain(made.id);
  });

  it('refuses a missing scope with AUTH_SCOPE (403)', () => {
    expect(() => checkScope({ tenant: 'acme', keyId: 'x', scopes: ['read'] }, 'predict')).toThrow(
      expect.objectContaining({ code: 'AUTH_SCOPE', status: 403 }),
    );
  });
});

describe('cachedLookup', () => {
  it('reuses a lookup within its TTL and forgets a revoked id at once', async () => {
    let calls = 0;
    const cache = cachedLookup(async (id) => {
      calls++;
      return lookup(id);
    }, 60_000);
    await cache.lookup(made.id);
    await cache.lookup(made.id);
    expect(calls).toBe(1);
    cache.forget(made.id);
    await cache.lookup(made.id);
    expect(calls).toBe(2);
  });
});
