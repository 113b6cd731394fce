import { randomUUID } from 'node:crypto';
import { AppError } from '@mserve/common';
import { BATCH_ITEMS_MAX, batchItemId, newBatchId, parseBatchData, parseBatchItemId } from './batch';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('batch item ids', () => {
  it('are version-8 UUIDs from which the batch job and the index come back', () => {
    const batch = newBatchId();
    expect(batch).toMatch(UUID_RE);
    expect(batch[14]).toBe('8');
    for (const i of [0, 1, 15, 255, BATCH_ITEMS_MAX - 1]) {
      const id = batchItemId(batch, i);
      expect(id).toMatch(UUID_RE);
      expect(parseBatchItemId(id)).toEqual({ batchId: batch, index: i });
      expect(parseBatchItemId(id.toUpperCase())).toEqual({ batchId: batch, index: i });
    }
    expect(new Set(Array.from({ length: 50 }, () => newBatchId())).size).toBe(50);
  });

  it('never mistake the id of a job of its own (a random v4 UUID) for a batch item', () => {
    for (let i = 0; i < 200; i++) expect(parseBatchItemId(randomUUID())).toBeNull();
    expect(parseBatchItemId('not-an-id')).toBeNull();
  });

  it('refuse an index outside the 12 bits or a batch id that is not one', () => {
    const batch = newBatchId();
    expect(() => batchItemId(batch, BATCH_ITEMS_MAX)).toThrow();
    expect(() => batchItemId(batch, -1)).toThrow();
    expect(() => batchItemId(randomUUID(), 0)).toThrow();
  });
});

describe('parseBatchData', () => {
  it('accepts 1..BATCH_ITEMS_MAX items and refuses anything else with VALIDATION_FAILED', () => {
    expect(parseBatchData({ v: 1, items: [{}] }).items).toHaveLength(1);
    for (const bad of [null, {}, { v: 2, items: [{}] }, { v: 1, items: [] }, { v: 1, items: 'x' }]) {
      expect(() => parseBatchData(bad)).toThrow(AppError);
    }
  });
});
