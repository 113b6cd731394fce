import { batchItemId, parseBatchItemId, type InferenceJobData } from '@mserve/contracts';
import { PredictionBatcher } from './predict-batcher';
import type { Wait } from './ports';

interface Call {
  batchId: string;
  items: InferenceJobData[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

function setup(maxItems = 100, maxInFlight = 2) {
  const calls: Call[] = [];
  const cancelled: string[] = [];
  const sizes: number[] = [];
  const batcher = new PredictionBatcher({
    maxItems,
    maxInFlight,
    register: (batchId): Wait => ({ done: new Promise(() => undefined), cancel: () => cancelled.push(batchId) }),
    enqueue: (batchId, items) =>
      new Promise<void>((resolve, reject) => {
        calls.push({ batchId, items, resolve, reject });
      }),
    onBatch: (n) => sizes.push(n),
  });
  return { batcher, calls, cancelled, sizes };
}

const data = (n: number) => ({ requestId: `r${n}` }) as InferenceJobData;
const tick = () => new Promise((r) => setImmediate(r));

describe('PredictionBatcher', () => {
  it('sends a prediction at once when idle and groups those arriving while an enqueue is in flight', async () => {
    const { batcher, calls, sizes } = setup();
    const first = batcher.submit(data(0));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.items.map((d) => d.requestId)).toEqual(['r0']);
    const later = [1, 2, 3].map((n) => batcher.submit(data(n)));
    expect(calls).toHaveLength(1);
    expect(batcher.waiting).toBe(3);
    calls[0]?.resolve();
    const p0 = await first;
    expect(p0).toMatchObject({ batchId: calls[0]?.batchId, index: 0, id: batchItemId(calls[0]!.batchId, 0) });
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.items.map((d) => d.requestId)).toEqual(['r1', 'r2', 'r3']);
    calls[1]?.resolve();
    const done = await Promise.all(later);
    expect(done.map((p) => parseBatchItemId(p.id))).toEqual(
      [0, 1, 2].map((index) => ({ batchId: calls[1]?.batchId, index })),
    );
    expect(sizes).toEqual([1, 3]);
  });

  it('sends a full group without waiting for the enqueue in flight, up to the in-flight limit', async () => {
    const { batcher, calls } = setup(2, 2);
    void batcher.submit(data(0));
    for (let n = 1; n <= 6; n++) void batcher.submit(data(n));
    // One in flight (r0), one full group (r1, r2) joins it; the rest waits for a free slot.
    expect(calls.map((c) => c.items.length)).toEqual([1, 2]);
    expect(batcher.waiting).toBe(4);
    calls[0]?.resolve();
    await tick();
    expect(calls.map((c) => c.items.length)).toEqual([1, 2, 2]);
  });

  it('fails every prediction of a group whose enqueue fails and cancels their waits', async () => {
    const { batcher, calls, cancelled } = setup();
    const a = batcher.submit(data(0));
    const b = batcher.submit(data(1));
    calls[0]?.reject(new Error('redis away'));
    await expect(a).rejects.toThrow('redis away');
    await tick();
    calls[1]?.reject(new Error('redis away'));
    await expect(b).rejects.toThrow('redis away');
    expect(cancelled).toEqual([calls[0]?.batchId, calls[1]?.batchId]);
  });
});
