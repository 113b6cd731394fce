import { createLogger } from '@mserve/common';
import {
  EXAMPLE_FACTS,
  INFERENCE_BATCH_JOB_NAME,
  INFERENCE_JOB_NAME,
  batchItemId,
  encodeTensor,
  newBatchId,
  type BatchJobResult,
  type InferenceJobData,
  type InferenceResult,
} from '@mserve/contracts';
import type { Job } from 'bullmq';
import { MicroBatcher } from './batcher';
import { priorityRank, type InferenceItem, type Prediction } from './inference';
import { createWorkerMetrics } from './metrics';
import { createProcessor } from './processor';

/** An engine stand-in whose prediction is the input's first value, so each item's answer is recognisable. */
function setup(flagged: ReadonlySet<string> = new Set()) {
  const passes: number[] = [];
  const classes: Array<Array<string | undefined>> = [];
  const notices: Array<{ jobId: string; event: string }> = [];
  const batcher = new MicroBatcher<InferenceItem, Prediction>(
    async (items) => {
      passes.push(items.length);
      classes.push(items.map((it) => it.priority));
      return items.map((it) => ({ ok: true as const, value: { prediction: it.input[0] } as unknown as Prediction }));
    },
    { maxSize: 64, maxWaitMs: 1, rank: priorityRank },
  );
  const processor = createProcessor({
    engine: { card: { name: 'm', digest: 'sha256:x', inputShape: [2, 2], classes: 10 } as never },
    batcher,
    logger: createLogger('test', 'silent'),
    metrics: createWorkerMetrics(),
    notify: async ({ jobId, event }) => void notices.push({ jobId, event }),
    cancelRequested: async (jobId) => flagged.has(jobId),
  });
  return { processor, passes, classes, notices };
}

function item(first: number, samples = 1): InferenceJobData {
  return {
    v: 1,
    requestId: `r${first}`,
    submittedAt: Date.now(),
    input: encodeTensor(Float32Array.from([first, 0, 0, 0]), [2, 2]),
    facts: EXAMPLE_FACTS,
    params: { samples, alpha: 0.1 },
  };
}

const job = (name: string, id: string, data: unknown) => ({ name, id, data }) as unknown as Job;

describe('the job processor', () => {
  it("hands each job's priority to the batcher, so a high job runs in a pass apart from the low ones", async () => {
    const { processor, classes } = setup();
    const low = (n: number): InferenceJobData => ({ ...item(n), priority: 'low' });
    await Promise.all([
      processor(job(INFERENCE_JOB_NAME, 'a', low(1))),
      processor(job(INFERENCE_JOB_NAME, 'b', { ...item(2), priority: 'high' })),
      processor(job(INFERENCE_JOB_NAME, 'c', low(3))),
    ]);
    expect(classes).toEqual([['high'], ['low', 'low']]);
  });

  it('answers every item of a batch job with its own result, in one model pass, and fails a bad item alone', async () => {
    const { processor, passes } = setup();
    const id = newBatchId();
    const out = (await processor(
      job(INFERENCE_BATCH_JOB_NAME, id, { v: 1, items: [item(3), item(7, 0), item(5)] }),
    )) as BatchJobResult;
    expect(out.items.map((o) => o.id)).toEqual([0, 1, 2].map((i) => batchItemId(id, i)));
    const [a, b, c] = out.items as [InferenceResult, BatchJobResult['items'][number], InferenceResult];
    expect([a.status, a.result.prediction, a.requestId]).toEqual(['completed', 3, 'r3']);
    expect(b).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAILED' } });
    expect([c.status, c.result.prediction]).toEqual(['completed', 5]);
    expect(passes).toEqual([2]);
  });

  it('fails a batch job whose envelope is malformed, and a single job with the code in the reason', async () => {
    const { processor } = setup();
    await expect(processor(job(INFERENCE_BATCH_JOB_NAME, newBatchId(), { v: 1, items: [] }))).rejects.toThrow(
      /^VALIDATION_FAILED: /,
    );
    await expect(processor(job(INFERENCE_JOB_NAME, 'j1', item(1, 0)))).rejects.toThrow(/^VALIDATION_FAILED: /);
    const single = (await processor(job(INFERENCE_JOB_NAME, 'j2', item(4)))) as InferenceResult;
    expect([single.id, single.result.prediction]).toEqual(['j2', 4]);
  });

  it('does not run a job flagged for cancel or past its deadline; each ends with its code and webhook event', async () => {
    const { processor, passes, notices } = setup(new Set(['c1']));
    const hook = { url: 'https://hooks.example.com/x', events: ['canceled' as const, 'expired' as const] };
    await expect(processor(job(INFERENCE_JOB_NAME, 'c1', { ...item(1), webhook: hook }))).rejects.toThrow(
      /^CANCELED: /,
    );
    const late = { ...item(2), webhook: hook, deadlineAt: Date.now() - 1 };
    await expect(processor(job(INFERENCE_JOB_NAME, 'e1', late))).rejects.toThrow(/^EXPIRED: /);
    expect(passes).toEqual([]);
    expect(notices).toEqual([
      { jobId: 'c1', event: 'canceled' },
      { jobId: 'e1', event: 'expired' },
    ]);
    const inTime = (await processor(
      job(INFERENCE_JOB_NAME, 'ok', { ...item(6), deadlineAt: Date.now() + 60_000 }),
    )) as InferenceResult;
    expect(inTime.result.prediction).toBe(6);
  });
});
