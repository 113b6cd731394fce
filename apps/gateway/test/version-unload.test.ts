/**
 * Jobs queued for a model version that is then unloaded (its folder removed from the repository) fail at once
 * with 503 MODEL_UNAVAILABLE instead of waiting for a worker that never comes: a synchronous prediction answers
 * with the code long before SYNC_TIMEOUT_MS, an async job reads `failed` with it. Real Redis and a real gateway;
 * no worker, so the jobs stay queued until the version goes.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assetPath } from '@mserve/common';
import {
  closeHttp,
  dropQueue,
  postImage,
  request,
  sampleImages,
  startGateway,
  uniqueQueue,
  waitUntil,
  type Proc,
} from '@mserve/testkit';

const queue = uniqueQueue('unload');
const repo = mkdtempSync(path.join(os.tmpdir(), 'mserve-unload-'));
let gateway: { proc: Proc; base: string };
const image = sampleImages().find((s) => s.name.endsWith('.png'))?.bytes ?? Buffer.alloc(0);

beforeAll(async () => {
  mkdirSync(path.join(repo, 'mnist_model'));
  for (const v of ['1', '2']) symlinkSync(assetPath('models/mnist_model'), path.join(repo, 'mnist_model', v));
  gateway = await startGateway({
    QUEUE_NAME: queue,
    MODEL_REPOSITORY: repo,
    MODEL_VERSION_POLICY: 'all',
    MODEL_POLL_MS: '200',
    SYNC_TIMEOUT_MS: '60000',
  });
}, 90_000);

afterAll(async () => {
  await gateway?.proc.stop();
  for (const v of [1, 2]) await dropQueue(`${queue}.mnist_model.v${v}`);
  await dropQueue(queue);
  rmSync(repo, { recursive: true, force: true });
  closeHttp();
});

it('fails the queued jobs of an unloaded version promptly with MODEL_UNAVAILABLE', async () => {
  const job = await postImage(gateway.base, '/v1/jobs', image, '?version=1&samples=1');
  expect(job.status).toBe(202);
  const sync = postImage(gateway.base, '/v1/predict', image, '?version=1&samples=1');
  // Both wait in version 1's queues (no worker); version 2 stays.
  await waitUntil(
    async () => (await request(`${gateway.base}/v1/jobs/${job.body.id as string}`)).body.status === 'queued',
    10_000,
    'the job queued',
  );
  const removedAt = Date.now();
  rmSync(path.join(repo, 'mnist_model', '1'));

  const answer = await sync;
  expect(answer.status).toBe(503);
  expect(answer.body.error.code).toBe('MODEL_UNAVAILABLE');
  expect(answer.body.error.message).toMatch(/version 1 of model mnist_model was unloaded/);
  expect(Date.now() - removedAt).toBeLessThan(10_000);
  const read = await request(`${gateway.base}/v1/jobs/${job.body.id as string}`);
  expect(read.body.status).toBe('failed');
  expect(read.body.error.code).toBe('MODEL_UNAVAILABLE');

  // The version is gone for new requests too; the other one still takes them.
  const pinned = await postImage(gateway.base, '/v1/jobs', image, '?version=1');
  expect(pinned.status).toBe(404);
  expect((await postImage(gateway.base, '/v1/jobs', image, '?version=2&samples=1')).status).toBe(202);
}, 60_000);
