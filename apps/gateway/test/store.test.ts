import { createLogger } from '@mserve/common';
import {
  INFERENCE_BATCH_JOB_NAME,
  batchItemId,
  newBatchId,
  syncQueueName,
  type InferenceJobData,
} from '@mserve/contracts';
import { REDIS_URL, dropQueue, uniqueQueue } from '@mserve/testkit';
import { Worker } from 'bullmq';
import { loadGatewayConfig } from '../src/config';
import { JobStore } from '../src/store';

const queue = uniqueQueue('store');
const config = loadGatewayConfig({ REDIS_URL, QUEUE_NAME: queue });
const store = new JobStore(config, createLogger('test', 'silent'));
const data = (requestId: string): InferenceJobData =>
  ({ v: 1, requestId, submittedAt: 1000, input: { dtype: 'float32' } }) as unknown as InferenceJobData;

/** A consumer that takes jobs by hand, so the test decides when a job is active and how it ends. */
function manualWorker(name: string): Worker {
  return new Worker(name, null, { connection: { url: REDIS_URL, maxRetriesPerRequest: null }, autorun: false });
}

beforeAll(async () => {
  // The producer connection refuses commands until it is ready; the first ping waits for it.
  for (let i = 0; i < 50 && !(await store.ping()); i++) await new Promise((r) => setTimeout(r, 50));
});

afterAll(async () => {
  await store.close();
  await dropQueue(queue);
});

describe('JobStore against Redis', () => {
  it('reads a job as queued, then active while a worker holds it, then with its outcome', async () => {
    await store.enqueueMany([
      { id: '00000000-0000-4000-8000-000000000001', data: data('a') },
      { id: '00000000-0000-4000-8000-000000000002', data: data('b') },
    ]);
    expect(await store.waitingCount()).toBe(2);
    const a = await store.get('00000000-0000-4000-8000-000000000001');
    expect(a).toEqual({
      id: '00000000-0000-4000-8000-000000000001',
      status: 'queued',
      // The stored model input comes along, for include=input.
      data: { requestId: 'a', submittedAt: 1000, input: { dtype: 'float32' } },
    });

    const worker = manualWorker(queue);
    try {
      const job = await worker.getNextJob('tok-1');
      expect(job?.id).toBe('00000000-0000-4000-8000-000000000001');
      expect((await store.get(job!.id!))?.status).toBe('active');
      expect((await store.get('00000000-0000-4000-8000-000000000002'))?.status).toBe('queued');
      const result = { id: job!.id, status: 'completed', result: { prediction: 3 } };
      await job!.moveToCompleted(result, 'tok-1', false);
      const done = await store.get(job!.id!);
      expect(done).toMatchObject({ status: 'completed', result, data: { requestId: 'a' } });
      expect(done?.finishedAt).toBeGreaterThan(0);

      const next = await worker.getNextJob('tok-2');
      await next!.moveToFailed(new Error('INFERENCE_FAILED: nan'), 'tok-2', false);
      expect(await store.get(next!.id!)).toMatchObject({
        status: 'failed',
        error: { code: 'INFERENCE_FAILED', message: 'nan' },
      });
    } finally {
      await worker.close();
    }
  });

  it('reads an item of a batch job with the batch state and its own outcome, and an unknown id as null', async () => {
    const batchId = newBatchId();
    await store.enqueueBatch(batchId, [data('x'), data('y')]);
    const y = batchItemId(batchId, 1);
    expect(await store.get(y)).toMatchObject({ id: y, status: 'queued', data: { requestId: 'y' } });
    expect(await store.get(batchItemId(batchId, 2))).toBeNull();
    expect(await store.get('00000000-0000-4000-8000-0000000000ff')).toBeNull();

    const worker = manualWorker(syncQueueName(queue));
    try {
      const job = await worker.getNextJob('tok-3');
      expect(job?.name).toBe(INFERENCE_BATCH_JOB_NAME);
      const items = [
        { id: batchItemId(batchId, 0), status: 'completed', result: { prediction: 1 } },
        { id: y, status: 'failed', error: { code: 'VALIDATION_FAILED', message: 'bad' } },
      ];
      await job!.moveToCompleted({ v: 1, items }, 'tok-3', false);
      expect(await store.get(y)).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAILED' } });
      expect(await store.get(batchItemId(batchId, 0))).toMatchObject({ status: 'completed', result: items[0] });
    } finally {
      await worker.close();
    }
  });
});
