import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createLogger } from '@mserve/common';
import { answerClientError } from './client-error';

async function serve() {
  const server = http.createServer((_req, res) => res.end('ok'));
  server.on('clientError', (err: NodeJS.ErrnoException, socket) =>
    answerClientError(err, socket, createLogger('test', 'silent')),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { port, close: () => new Promise((r) => server.close(r)) };
}

/** Sends raw bytes and collects everything the server answers until it closes; rejects on a reset. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.end(bytes));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

function parse(response: string) {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  return { statusLine: head.split('\r\n')[0], head, body: JSON.parse(body) as unknown };
}

describe('answerClientError', () => {
  it('answers headers over the limit with 431 and the JSON error body, without resetting the connection', async () => {
    const s = await serve();
    try {
      const res = parse(await raw(s.port, `GET / HTTP/1.1\r\nHost: x\r\nx-request-id: ${'a'.repeat(100_000)}\r\n\r\n`));
      expect(res.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
      expect(res.head).toMatch(/content-type: application\/json/i);
      expect(res.body).toEqual({
        error: {
          code: 'HEADERS_TOO_LARGE',
          message: `request headers too large: at most ${http.maxHeaderSize} bytes in all`,
        },
      });
    } finally {
      await s.close();
    }
  });

  it('answers a request Node cannot parse with 400 BAD_REQUEST and the JSON error body', async () => {
    const s = await serve();
    try {
      const res = parse(await raw(s.port, 'NOT HTTP AT ALL\r\n\r\n'));
      expect(res.statusLine).toBe('HTTP/1.1 400 Bad Request');
      expect(res.body).toMatchObject({
        error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^malformed HTTP request/) },
      });
    } finally {
      await s.close();
    }
  });
});
