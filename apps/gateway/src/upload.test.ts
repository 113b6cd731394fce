import type { AddressInfo } from 'node:net';
import { toAppError } from '@mserve/common';
import express, { type ErrorRequestHandler } from 'express';
import { createSubmissionReader, describeLimit, uploadError } from './upload';

async function serve(maxBytes = 4096) {
  const read = createSubmissionReader(maxBytes);
  const app = express();
  app.post('/', async (req, res) => {
    const sub = await read(req, res);
    res.json({ bytes: sub.image.length, fields: sub.fields });
  });
  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    const e = uploadError(err) ?? toAppError(err);
    res.status(e.status).json(e.toBody());
  };
  app.use(onError);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, close: () => new Promise((r) => server.close(r)) };
}

const png = new Blob([Buffer.from('not really a png')], { type: 'image/png' });

describe('multipart submissions', () => {
  it('read the file of the field "image" and the other fields as parameters', async () => {
    const s = await serve();
    try {
      const form = new FormData();
      form.append('image', png, 'd.png');
      form.append('samples', '7');
      const res = await fetch(s.url, { method: 'POST', body: form });
      expect(await res.json()).toEqual({ bytes: 16, fields: { samples: '7' } });
    } finally {
      await s.close();
    }
  });

  it('answer a file under another field with 400 naming the expected field and the one received', async () => {
    const s = await serve();
    try {
      const form = new FormData();
      form.append('file', png, 'd.png');
      const res = await fetch(s.url, { method: 'POST', body: form });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: 'multipart upload: the image file must be in the field "image"; got a file in the field "file"',
        },
      });
    } finally {
      await s.close();
    }
  });

  it('answer a text field "image" with 400 saying it must be a file', async () => {
    const s = await serve();
    try {
      const form = new FormData();
      form.append('image', 'iVBORw0KGgo=');
      const res = await fetch(s.url, { method: 'POST', body: form });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /the field "image" holds text, not a file/,
      );
    } finally {
      await s.close();
    }
  });
});

describe('uploads over the limit', () => {
  it('state the limit in bytes and in MB', () => {
    expect(describeLimit(10 * 1024 * 1024)).toBe('10485760 bytes (10 MB)');
    expect(describeLimit(4096)).toBe('4096 bytes (0.00391 MB)');
  });

  it.each([
    [
      'a multipart file',
      () => {
        const form = new FormData();
        form.append('image', new Blob([Buffer.alloc(5000)], { type: 'image/png' }), 'd.png');
        return { body: form };
      },
      'upload too large: limit 4096 bytes (0.00391 MB)',
    ],
    [
      'a multipart parameter field',
      () => {
        const form = new FormData();
        form.append('webhook', 'w'.repeat(17 * 1024));
        form.append('image', png, 'd.png');
        return { body: form };
      },
      'form field "webhook" too large: limit 16384 bytes (0.0156 MB)',
    ],
    [
      'a raw image body',
      () => ({ body: Buffer.alloc(5000), headers: { 'content-type': 'image/png' } }),
      'upload too large: limit 4096 bytes (0.00391 MB)',
    ],
    [
      'a JSON body',
      () => ({
        body: JSON.stringify({ image: 'A'.repeat(80 * 1024) }),
        headers: { 'content-type': 'application/json' },
      }),
      `JSON body too large: limit ${Math.ceil((4096 * 4) / 3) + 65536} bytes (0.0677 MB), room for an image of up to 4096 bytes (0.00391 MB) as base64`,
    ],
  ])('answer %s with 413 PAYLOAD_TOO_LARGE stating the limit', async (_what, make, message) => {
    const s = await serve(4096);
    try {
      const res = await fetch(s.url, { method: 'POST', ...make() });
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message } });
    } finally {
      await s.close();
    }
  });
});

describe('a path Express cannot decode', () => {
  it('is a 400 BAD_REQUEST that names the path', () => {
    const err = Object.assign(new URIError("Failed to decode param '%zz'"), { status: 400, statusCode: 400 });
    expect(uploadError(err)?.toBody()).toEqual({
      error: { code: 'BAD_REQUEST', message: "malformed request path: Failed to decode param '%zz'" },
    });
  });
});
