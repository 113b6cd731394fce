import express from 'express';
import multer from 'multer';
import type { AddressInfo } from 'node:net';
import { multipart } from './multipart';

describe('multipart body', () => {
  it('is parsed by multer into the same file bytes and fields', async () => {
    const app = express();
    const upload = multer({ storage: multer.memoryStorage() });
    app.post('/', upload.single('image'), (req, res) => {
      res.json({
        size: req.file?.size,
        mime: req.file?.mimetype,
        samples: (req.body as Record<string, string>)['samples'],
      });
    });
    const server = app.listen(0);
    try {
      const { port } = server.address() as AddressInfo;
      const data = Buffer.from([1, 2, 3, 4, 5]);
      const m = multipart({ field: 'image', filename: 'x.png', mime: 'image/png', data }, { samples: '10' });
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        body: m.body,
        headers: { 'content-type': m.contentType },
      });
      expect(await res.json()).toEqual({ size: 5, mime: 'image/png', samples: '10' });
    } finally {
      server.close();
    }
  });
});
