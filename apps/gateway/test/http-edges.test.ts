import { crc32, deflateSync } from 'node:zlib';
import { expectMatchesSpec } from './openapi-check';
import {
  REDIS_URL,
  closeHttp,
  dropQueue,
  postImage,
  request,
  sampleImages,
  startGateway,
  uniqueQueue,
  type Proc,
} from '@mserve/testkit';

// What a new user runs into at the edges of the HTTP API. No worker: accepted jobs stay queued.
const queue = uniqueQueue('edges');
const MAX_WAIT_S = 2;
let gateway: Proc;
let base = '';
const digit = sampleImages().find((i) => i.name === '5.png')!.bytes;

beforeAll(async () => {
  const g = await startGateway({
    REDIS_URL,
    QUEUE_NAME: queue,
    MAX_WAIT_S: String(MAX_WAIT_S),
    SYNC_TIMEOUT_MS: '300',
  });
  gateway = g.proc;
  base = g.base;
}, 90_000);

afterAll(async () => {
  closeHttp();
  await gateway?.stop();
  await dropQueue(queue);
});

/** A white greyscale PNG: an upload with no ink at all. */
function blankPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth; colour type 0 (grey), default compression, filter, no interlace
  const rows = Buffer.alloc((width + 1) * height, 255);
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0; // filter type None
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

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

describe('a blank image', () => {
  it.each(['/v1/jobs', '/v1/predict'])('is refused by %s with 422 IMAGE_BLANK before it is enqueued', async (route) => {
    const submitted = async () =>
      Number(/gateway_jobs_submitted_total (\S+)/.exec((await request(`${base}/metrics`)).text)?.[1]);
    const before = await submitted();
    const res = await postImage(base, route, blankPng(64, 48));
    expect(res.status).toBe(422);
    expect(await submitted()).toBe(before);
    expect(res.body.error).toEqual({ code: 'IMAGE_BLANK', message: 'no ink found: the image is blank' });
    expectMatchesSpec(route, 'post', res);
  });
});

describe('job links', () => {
  it('long-poll with MAX_WAIT_S, so following them never earns a 400', async () => {
    const job = await postImage(base, '/v1/jobs', digit);
    expect(job.body.links.wait).toBe(`/v1/jobs/${job.body.id as string}?wait=${MAX_WAIT_S}`);
    const predict = await postImage(base, '/v1/predict', digit);
    expect(predict.status).toBe(504);
    expect(predict.body.error.message).toContain(
      `poll /v1/jobs/${predict.body.error.details.jobId as string}?wait=${MAX_WAIT_S}`,
    );
    expect(predict.body.error.details.links.wait).toMatch(new RegExp(`\\?wait=${MAX_WAIT_S}$`));
    // No worker: the job stays queued, and the poll ends after MAX_WAIT_S with its state.
    const polled = await request(`${base}${job.body.links.wait as string}`);
    expect(polled.status).toBe(200);
    expect(polled.body.status).toBe('queued');
    expect(polled.body.links).toEqual(job.body.links);
  });
});

describe('request ids and oversized headers', () => {
  it('answers a 100 KB x-request-id with 431 HEADERS_TOO_LARGE and a JSON body, not a reset', async () => {
    const res = await request(`${base}/healthz`, { headers: { 'x-request-id': 'a'.repeat(100_000) } });
    expect(res.status).toBe(431);
    expect(res.body.error.code).toBe('HEADERS_TOO_LARGE');
    expect(res.body.error.message).toMatch(/^request headers too large: at most \d+ bytes/);
    // The gateway serves on.
    expect((await request(`${base}/healthz`)).status).toBe(200);
  });

  it('replaces a client request id outside 128 safe characters with a generated one', async () => {
    for (const given of ['b'.repeat(129), 'has spaces', 'semi;colon']) {
      const res = await request(`${base}/healthz`, { headers: { 'x-request-id': given } });
      expect(res.headers['x-request-id']).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
    const kept = await request(`${base}/healthz`, { headers: { 'x-request-id': 'svc.a:b-c_9' } });
    expect(kept.headers['x-request-id']).toBe('svc.a:b-c_9');
  });
});

describe('long ids and paths in error messages', () => {
  it('are cut to 64 characters and an ellipsis', async () => {
    const job = await request(`${base}/v1/jobs/${'j'.repeat(5000)}`);
    expect(job.status).toBe(404);
    expect(job.body.error.message).toBe(`no job ${'j'.repeat(64)}… (unknown, or removed after the retention period)`);
    expectMatchesSpec('/v1/jobs/{id}', 'get', job);
    const route = await request(`${base}/${'r'.repeat(5000)}`);
    expect(route.status).toBe(404);
    expect(route.body.error.message).toBe(`no route GET /${'r'.repeat(63)}…`);
  });
});

describe('multipart uploads', () => {
  it('answer a file under a field other than "image" with 400 naming both fields', async () => {
    const form = new FormData();
    form.append('file', new Blob([digit], { type: 'image/png' }), '5.png');
    const res = await fetch(`${base}/v1/predict`, { method: 'POST', body: form });
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(400);
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toContain('"image"');
    expect(body.error.message).toContain('got a file in the field "file"');
    expectMatchesSpec('/v1/predict', 'post', { status: res.status, body });
  });
});

describe('a wrong method on a known route', () => {
  it.each([
    ['GET', '/v1/predict', 'POST'],
    ['DELETE', '/v1/predict', 'POST'],
    ['PUT', '/v1/jobs', 'POST'],
    ['PUT', '/v1/jobs/00000000-0000-4000-8000-000000000000', 'GET, DELETE, HEAD'],
    ['GET', '/v1/jobs/00000000-0000-4000-8000-000000000000/cancel', 'POST'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['POST', '/v1/models', 'GET, HEAD'],
  ])('%s %s answers 405 METHOD_NOT_ALLOWED with Allow: %s and the JSON error body', async (method, path, allow) => {
    const res = await request(`${base}${path}`, { method });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe(allow);
    expect(res.body.error).toEqual({
      code: 'METHOD_NOT_ALLOWED',
      message: `${method} is not allowed on ${path}; allowed: ${allow}`,
    });
  });

  it('OPTIONS answers 204 with the Allow header, and an unknown path stays a 404', async () => {
    const options = await request(`${base}/v1/predict`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers['allow']).toBe('POST');
    const unknown = await request(`${base}/v1/nothing`, { method: 'DELETE' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
  });
});

describe('A job id that is not valid percent-encoding', () => {
  it.each([
    ['GET', '/v1/jobs/%zz', '/v1/jobs/{id}'],
    ['DELETE', '/v1/jobs/%zz', '/v1/jobs/{id}'],
    ['POST', '/v1/jobs/%zz/cancel', '/v1/jobs/{id}/cancel'],
  ])('is a 400 with the JSON error body the document declares (%s %s)', async (method, path, route) => {
    const res = await request(`${base}${path}`, { method });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expectMatchesSpec(route, method.toLowerCase(), res);
  });

  it('is a 400 naming the path, not the body, even for a method the path does not have', async () => {
    const res = await request(`${base}/v1/batches/%zz/`, { method: 'PATCH' });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'BAD_REQUEST',
      message: "malformed request path: Failed to decode param '%zz'",
    });
  });
});
