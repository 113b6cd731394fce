import { AppError } from '@mserve/common';
import { EXAMPLE_FACTS } from '@mserve/contracts';
import type { Preprocessor } from './ports';
import { QueueGauge, prepareJob, type PrepareDeps } from './submit';

describe('QueueGauge', () => {
  it('calls the queue far from full only on a recent reading below half the limit', () => {
    let now = 1000;
    const gauge = new QueueGauge(100, () => now);
    expect(gauge.farBelow(10)).toBe(false); // nothing read yet
    gauge.saw(4);
    expect(gauge.farBelow(10)).toBe(true);
    gauge.saw(5);
    expect(gauge.farBelow(10)).toBe(false); // half the limit is not far below it
    gauge.saw(0);
    now += 101;
    expect(gauge.farBelow(10)).toBe(false); // stale
  });
});

describe('prepareJob with a queue gauge', () => {
  /** A count that answers when told to, and a preprocessor that records when it started. */
  function world(waiting: number) {
    const events: string[] = [];
    let answer: () => void = () => undefined;
    const jobs = {
      waitingCount: () =>
        new Promise<number>((resolve) => {
          events.push('count asked');
          answer = () => {
            events.push('count answered');
            resolve(waiting);
          };
        }),
    };
    const preprocess: Preprocessor = async () => {
      events.push('preprocess started');
      return { tensor: new Float32Array(784).fill(0.5), shape: [28, 28], facts: EXAMPLE_FACTS, ms: 1 };
    };
    const deps = (gauge: QueueGauge): PrepareDeps => ({
      jobs,
      preprocess,
      checkWebhookUrl: async () => undefined,
      metrics: { preprocessed: () => undefined },
      defaults: { samples: 30, alpha: 0.05 },
      maxQueueDepth: 10,
      gauge,
    });
    return { events, deps, answerCount: () => answer() };
  }
  const sub = { image: Buffer.from('png'), fields: {} };

  it('checks the queue before preprocessing while it has no recent reading', async () => {
    const w = world(3);
    const done = prepareJob(w.deps(new QueueGauge()), sub, 'r1');
    await new Promise((r) => setImmediate(r));
    expect(w.events).toEqual(['count asked']);
    w.answerCount();
    await done;
    expect(w.events).toEqual(['count asked', 'count answered', 'preprocess started']);
  });

  it('preprocesses during the check once the queue was recently far from full', async () => {
    const w = world(3);
    const gauge = new QueueGauge();
    gauge.saw(0);
    const done = prepareJob(w.deps(gauge), sub, 'r2');
    await new Promise((r) => setImmediate(r));
    expect(w.events).toEqual(['count asked', 'preprocess started']);
    w.answerCount();
    await expect(done).resolves.toMatchObject({ requestId: 'r2' });
  });

  it('still refuses a full queue when the check ran during the preprocessing', async () => {
    const w = world(10);
    const gauge = new QueueGauge();
    gauge.saw(0);
    const done = prepareJob(w.deps(gauge), sub, 'r3');
    await new Promise((r) => setImmediate(r));
    w.answerCount();
    await expect(done).rejects.toMatchObject({ code: 'QUEUE_FULL' } satisfies Partial<AppError>);
    // The reading of a full queue sends the next submission back to checking first.
    expect(gauge.farBelow(10)).toBe(false);
  });
});
