import { expectMatchesSpec } from './openapi-check';
import {
  REDIS_URL,
  closeHttp,
  dropQueue,
  request,
  sampleImages,
  startGateway,
  uniqueQueue,
  type Proc,
} from '@mserve/testkit';

// What a new user runs into at the edges of the HTTP API. No worker: accepted jobs stay queued.
const queue = uniqueQueue('edges');
let gateway: Proc;
let base = '';
const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;

beforeAll(async () => {
  const g = await startGateway({ REDIS_URL, QUEUE_NAME: queue });
  gateway = g.proc;
  base = g.base;
}, 90_000);

afterAll(async () => {
  closeHttp();
  await gateway?.stop();
  await dropQueue(queue);
});

const postJson = (route: string, body: unknown) =>
  request(`${base}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('JSON submissions', () => {
  it('accept the image as a data: URL as well as bare base64', async () => {
    for (const image of [digit.toString('base64'), `data:image/png;base64,${digit.toString('base64')}`]) {
      const res = await postJson('/v1/jobs', { image, samples: 5 });
      expect(res.status).toBe(202);
      expectMatchesSpec('/v1/jobs', 'post', res);
    }
  });

  it('answer an image field that is not base64 with 400 VALIDATION_FAILED saying so', async () => {
    const res = await postJson('/v1/jobs', { image: 'this is not base64!' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toMatch(/^the image field is not valid base64/);
    expectMatchesSpec('/v1/jobs', 'post', res);
  });
});
