import { GroupCommit } from './group-commit';

interface Call {
  items: number[];
  resolve: (r: string[]) => void;
  reject: (e: unknown) => void;
}

function setup(maxItems = 100, maxInFlight = 1) {
  const calls: Call[] = [];
  const gc = new GroupCommit<number, string>({
    maxItems,
    maxInFlight,
    commit: (items) => new Promise((resolve, reject) => calls.push({ items, resolve, reject })),
  });
  return { gc, calls };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('commits an item alone and at once when idle, and the items arriving meanwhile together next', async () => {
    const { gc, calls } = setup();
    const a = gc.submit(1);
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    const later = [2, 3].map((n) => gc.submit(n));
    expect(gc.waiting).toBe(2);
    calls[0]?.resolve(['one']);
    await expect(a).resolves.toBe('one');
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3]]);
    calls[1]?.resolve(['two', 'three']);
    await expect(Promise.all(later)).resolves.toEqual(['two', 'three']);
  });

  it('rejects every item of a failed group, then commits the next group normally', async () => {
    const { gc, calls } = setup();
    const a = gc.submit(1);
    const b = gc.submit(2);
    calls[0]?.reject(new Error('redis away'));
    await expect(a).rejects.toThrow('redis away');
    await tick();
    calls[1]?.resolve(['ok']);
    await expect(b).resolves.toBe('ok');
  });

  it('rejects the group when the commit throws before returning a promise', async () => {
    const gc = new GroupCommit<number, number>({
      maxItems: 4,
      maxInFlight: 1,
      commit: () => {
        throw new Error('bad');
      },
    });
    await expect(gc.submit(1)).rejects.toThrow('bad');
  });
});
