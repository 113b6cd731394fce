import type { AddressInfo } from 'node:net';
import { toAppError } from '@mserve/common';
import express, { type ErrorRequestHandler } from 'express';
import { createSubmissionReader, uploadError } from './upload';

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
