import { MicroBatcher, type ItemOutcome } from './batcher';

/** A runner whose passes end only when the test releases them, recording each pass's items. */
function gatedRunner() {
  const passes: number[][] = [];
  const gates: Array<() => void> = [];
  const run = async (items: number[]): Promise<Array<ItemOutcome<number>>> => {
    passes.push(items);
    await new Promise<void>((r) => gates.push(r));
    return double(items);
  };
  const release = async (): Promise<void> => {
    gates.shift()?.();
    // Let the finished pass settle and the next one start.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  };
  return { run, passes, release };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

const double = async (items: number[]): Promise<Array<ItemOutcome<number>>> =>
  items.map((v) => (v < 0 ? { ok: false, error: new Error(`bad ${v}`) } : { ok: true, value: v * 2 }));

describe('MicroBatcher, adaptive (maxWaitMs 0)', () => {
  it('runs a lone item on an idle batcher at once, without any timer', async () => {
    const g = gatedRunner();
    const b = new MicroBatcher(g.run, { maxSize: 8, maxWaitMs: 0 });
    const p = b.submit(1);
    await turn();
    expect(g.passes).toEqual([[1]]);
    await g.release();
    await expect(p).resolves.toMatchObject({ value: 2, batch: { size: 1 } });
  });

  it('runs items submitted in the same event-loop turn as one pass', async () => {
    const g = gatedRunner();
    const b = new MicroBatcher(g.run, { maxSize: 8, maxWaitMs: 0 });
    const all = Promise.all([1, 2, 3].map((v) => b.submit(v)));
    await turn();
    expect(g.passes).toEqual([[1, 2, 3]]);
    await g.release();
    await all;
  });

  it('groups the items that arrive during a pass into the next batch, which starts as soon as the pass ends', async () => {
    const g = gatedRunner();
    const b = new MicroBatcher(g.run, { maxSize: 8, maxWaitMs: 0 });
    const first = b.submit(1);
    await turn();
    const later = [2, 3, 4].map((v) => b.submit(v));
    await turn();
    expect(g.passes).toEqual([[1]]);
    expect(b.pending).toBe(3);
    await g.release();
    expect(g.passes).toEqual([[1], [2, 3, 4]]);
    await g.release();
    await expect(first).resolves.toMatchObject({ batch: { size: 1 } });
    const out = await Promise.all(later);
    expect(out.map((o) => [o.value, o.batch.size])).toEqual([
      [4, 3],
      [6, 3],
      [8, 3],
    ]);
  });

  it('caps the batches formed during a pass at maxSize', async () => {
    const g = gatedRunner();
    const b = new MicroBatcher(g.run, { maxSize: 2, maxWaitMs: 0 });
    const all = [b.submit(0)];
    await turn();
    all.push(...[1, 2, 3, 4, 5].map((v) => b.submit(v)));
    for (let i = 0; i < 4; i++) await g.release();
    await Promise.all(all);
    expect(g.passes).toEqual([[0], [1, 2], [3, 4], [5]]);
  });

  it('runs the most urgent class waiting in a pass of its own, before older items of lower classes', async () => {
    const g = gatedRunner();
    // Values >= 100 are urgent (rank 0), the rest ordinary (rank 1).
    const b = new MicroBatcher(g.run, { maxSize: 3, maxWaitMs: 0, rank: (v: number) => (v >= 100 ? 0 : 1) });
    const all = [b.submit(0)];
    await turn();
    all.push(...[1, 2, 100, 3, 101, 102, 103].map((v) => b.submit(v)));
    for (let i = 0; i < 5; i++) await g.release();
    await Promise.all(all);
    expect(g.passes).toEqual([[0], [100, 101, 102], [103], [1, 2, 3]]);
  });

  it('keeps maxWaitMs as a floor: an idle batcher with a window waits for it before running', async () => {
    const g = gatedRunner();
    const b = new MicroBatcher(g.run, { maxSize: 8, maxWaitMs: 40 });
    const p = b.submit(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(g.passes).toEqual([]);
    await new Promise((r) => setTimeout(r, 60));
    expect(g.passes).toEqual([[1]]);
    await g.release();
    await p;
  });
});

describe('MicroBatcher', () => {
  it('runs items submitted together as one batch once the window closes', async () => {
    const sizes: number[] = [];
    const b = new MicroBatcher(double, { maxSize: 10, maxWaitMs: 20, onBatch: (i) => sizes.push(i.size) });
    const out = await Promise.all([1, 2, 3].map((v) => b.submit(v)));
    expect(out.map((o) => o.value)).toEqual([2, 4, 6]);
    expect(out.every((o) => o.batch.size === 3)).toBe(true);
    expect(sizes).toEqual([3]);
  });

  it('starts a batch as soon as it is full without waiting for the window', async () => {
    const b = new MicroBatcher(double, { maxSize: 2, maxWaitMs: 10_000 });
    const t0 = Date.now();
    const out = await Promise.all([b.submit(1), b.submit(2)]);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(out[0]?.batch.size).toBe(2);
  });

  it('splits a burst larger than maxSize into full batches, one at a time', async () => {
    let running = 0;
    let maxRunning = 0;
    const sizes: number[] = [];
    const b = new MicroBatcher(
      async (items: number[]) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return double(items);
      },
      { maxSize: 4, maxWaitMs: 1, onBatch: (i) => sizes.push(i.size) },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit(i)));
    expect(sizes).toEqual([4, 4, 2]);
    expect(maxRunning).toBe(1);
  });

  it('fails only the item whose outcome is an error', async () => {
    const b = new MicroBatcher(double, { maxSize: 3, maxWaitMs: 5 });
    const results = await Promise.allSettled([b.submit(1), b.submit(-1), b.submit(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('fails every item of a batch whose runner throws, then keeps serving', async () => {
    let calls = 0;
    const b = new MicroBatcher(
      async (items: number[]) => {
        if (calls++ === 0) throw new Error('model crashed');
        return double(items);
      },
      { maxSize: 2, maxWaitMs: 1 },
    );
    await expect(Promise.all([b.submit(1), b.submit(2)])).rejects.toThrow('model crashed');
    await expect(b.submit(5)).resolves.toMatchObject({ value: 10 });
  });

  it('runs waiting items at once on flushNow and reports idle afterwards', async () => {
    const b = new MicroBatcher(double, { maxSize: 100, maxWaitMs: 60_000 });
    const p = b.submit(7);
    b.flushNow();
    await expect(p).resolves.toMatchObject({ value: 14 });
    await b.whenIdle();
    expect(b.pending).toBe(0);
    expect(b.busy).toBe(false);
  });
});
