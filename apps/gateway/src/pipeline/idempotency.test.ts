import { AppError } from '@mserve/common';
import {
  fingerprint,
  once,
  parseIdempotencyKey,
  type IdempotencyKey,
  type IdempotencyRecord,
  type IdempotencyStore,
} from './idempotency';

/** Keys in memory, with the claim semantics of the Redis script (no lease expiry). */
class MemoryKeys implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  async claim(k: IdempotencyKey, record: IdempotencyRecord): Promise<IdempotencyRecord | null> {
    const id = `${k.scope}:${k.key}`;
    const found = this.records.get(id);
    if (found) return found;
    this.records.set(id, record);
    return null;
  }
  async settle(k: IdempotencyKey, record: IdempotencyRecord): Promise<void> {
    const id = `${k.scope}:${k.key}`;
    if (this.records.get(id)?.jobId === record.jobId) this.records.set(id, record);
  }
  async release(k: IdempotencyKey, jobId: string): Promise<void> {
    const id = `${k.scope}:${k.key}`;
    if (this.records.get(id)?.jobId === jobId) this.records.delete(id);
  }
}

const key = { scope: 'default', key: 'k1' };
const sub = { image: Buffer.from('png'), fields: { samples: 5 } };

describe('Idempotency-Key', () => {
  it('accepts a bare token and the Structured Field string form as the same key', () => {
    expect(parseIdempotencyKey('abc-1', 's')).toEqual({ scope: 's', key: 'abc-1' });
    expect(parseIdempotencyKey('"abc-1"', 's')).toEqual({ scope: 's', key: 'abc-1' });
    expect(parseIdempotencyKey(undefined, 's')).toBeUndefined();
  });

  it('refuses an empty, too long, spaced or repeated key with a 400', () => {
    for (const bad of ['', '""', 'a b', 'x'.repeat(256), ['a', 'b']]) {
      expect(() => parseIdempotencyKey(bad, 's')).toThrow(/Idempotency-Key/);
    }
  });

  it('fingerprints the route, the image and the parameters, not their order', () => {
    const a = fingerprint('jobs', { image: Buffer.from('x'), fields: { samples: 5, alpha: 0.1 } });
    expect(fingerprint('jobs', { image: Buffer.from('x'), fields: { alpha: 0.1, samples: 5 } })).toBe(a);
    expect(fingerprint('predict', { image: Buffer.from('x'), fields: { samples: 5, alpha: 0.1 } })).not.toBe(a);
    expect(fingerprint('jobs', { image: Buffer.from('y'), fields: { samples: 5, alpha: 0.1 } })).not.toBe(a);
    expect(fingerprint('jobs', { image: Buffer.from('x'), fields: { samples: 6, alpha: 0.1 } })).not.toBe(a);
  });

  it('leaves include out of the fingerprint: it shapes the answer, not the job', () => {
    const a = fingerprint('predict', { image: Buffer.from('x'), fields: { samples: 5 } });
    expect(fingerprint('predict', { image: Buffer.from('x'), fields: { samples: 5, include: 'input' } })).toBe(a);
  });

  it('creates the job once: a retry with the same request gets the same id without creating another', async () => {
    const store = new MemoryKeys();
    const created: string[] = [];
    const create = async (id: string) => void created.push(id);
    const first = await once(store, key, fingerprint('jobs', sub), 60, 'job-1', create);
    const again = await once(store, key, fingerprint('jobs', sub), 60, 'job-2', create);
    expect(first).toEqual({ id: 'job-1', replayed: false });
    expect(again).toEqual({ id: 'job-1', replayed: true });
    expect(created).toEqual(['job-1']);
  });

  it('refuses the key with another request (422) and while the first is being accepted (409)', async () => {
    const store = new MemoryKeys();
    let release: () => void = () => undefined;
    const slow = once(store, key, 'fp-a', 60, 'job-1', () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setImmediate(r));
    const during = once(store, key, 'fp-a', 60, 'job-2', async () => undefined);
    await expect(during).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE' });
    release();
    await slow;
    await expect(once(store, key, 'fp-b', 60, 'job-3', async () => undefined)).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('frees the key when the first request is refused, so a corrected retry is accepted', async () => {
    const store = new MemoryKeys();
    const refuse = async () => {
      throw new AppError('QUEUE_FULL', 'full');
    };
    await expect(once(store, key, 'fp', 60, 'job-1', refuse)).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    expect(store.records.size).toBe(0);
    await expect(once(store, key, 'fp', 60, 'job-2', async () => undefined)).resolves.toEqual({
      id: 'job-2',
      replayed: false,
    });
  });
});
