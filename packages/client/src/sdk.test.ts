import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MnistApiError } from './errors';
import { MnistClient } from './sdk';

/** A stand-in gateway speaking the documented wire format, scripted per test. */
async function fakeGateway(
  handler: (
    req: http.IncomingMessage,
    body: Buffer,
  ) => { status: number; body: unknown; headers?: Record<string, string> },
) {
  const seen: Array<{ method: string; url: string; type: string; body: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        type: req.headers['content-type'] ?? '',
        body: body.toString('latin1'),
      });
      const out = handler(req, body);
      res.writeHead(out.status, { 'content-type': 'application/json', ...(out.headers ?? {}) });
      res.end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const done = {
  id: 'j1',
  status: 'completed',
  result: { prediction: 7, probabilities: [0, 0, 0, 0, 0, 0, 0, 1, 0, 0], uncertainty: {} },
};

describe('MnistClient', () => {
  it('submits a multipart upload with the image, parameters and webhook JSON', async () => {
    const gw = await fakeGateway(() => ({ status: 202, body: { id: 'j1', status: 'queued', links: {} } }));
    try {
      const client = new MnistClient({ baseUrl: `${gw.url}/` });
      const res = await client.submit(PNG, { samples: 10, alpha: 0.1, webhook: { url: 'https://r.example/h' } });
      expect(res.id).toBe('j1');
      const req = gw.seen[0];
      expect(req?.url).toBe('/v1/jobs');
      expect(req?.type).toMatch(/^multipart\/form-data; boundary=/);
      expect(req?.body).toContain('Content-Type: image/png');
      expect(req?.body).toMatch(/name="samples"\r\n\r\n10\r\n/);
      expect(req?.body).toContain('{"url":"https://r.example/h"}');
    } finally {
      await gw.close();
    }
  });

  it('keeps waiting for a predict whose synchronous window passed (504 TIMEOUT) and returns the result', async () => {
    const gw = await fakeGateway((req) =>
      req.url === '/v1/predict'
        ? { status: 504, body: { error: { code: 'TIMEOUT', message: 'slow', details: { jobId: 'j1' } } } }
        : { status: 200, body: done },
    );
    try {
      const job = await new MnistClient({ baseUrl: gw.url }).predict(PNG);
      expect(job.result.prediction).toBe(7);
      expect(gw.seen.map((s) => s.url)).toEqual(['/v1/predict', '/v1/jobs/j1?wait=30']);
    } finally {
      await gw.close();
    }
  });

  it('retries a submission refused with 429 QUEUE_FULL after Retry-After', async () => {
    let n = 0;
    const gw = await fakeGateway(() =>
      n++ === 0
        ? { status: 429, body: { error: { code: 'QUEUE_FULL', message: 'full' } }, headers: { 'retry-after': '1' } }
        : { status: 202, body: { id: 'j2', status: 'queued', links: {} } },
    );
    try {
      const t0 = Date.now();
      expect((await new MnistClient({ baseUrl: gw.url }).submit(PNG)).id).toBe('j2');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    } finally {
      await gw.close();
    }
  });

  it('throws the API error code and the failed job id for a prediction that failed', async () => {
    const gw = await fakeGateway(() => ({
      status: 422,
      body: { error: { code: 'IMAGE_UNDECODABLE', message: 'not an image', details: { jobId: 'j3' } } },
    }));
    try {
      const err = await new MnistClient({ baseUrl: gw.url }).predict(PNG).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MnistApiError);
      expect(err).toMatchObject({ status: 422, code: 'IMAGE_UNDECODABLE', jobId: 'j3' });
    } finally {
      await gw.close();
    }
  });

  it('reports an unreachable gateway as NETWORK with status 0', async () => {
    const err = await new MnistClient({ baseUrl: 'http://127.0.0.1:1' }).get('x').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0, code: 'NETWORK' });
  });
});
