import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseAllowList } from '@mserve/webhooks';
import { SendError, sendOnce } from './send';

describe('sendOnce', () => {
  let server: http.Server;
  let port: number;
  const hosts: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hosts.push(req.headers.host ?? '');
      if (req.url === '/big') {
        res.writeHead(200);
        res.write(Buffer.alloc(1 << 20, 'x'));
        return; // never ends: the reader must stop at its cap
      }
      res.writeHead(req.url === '/redirect' ? 302 : 200, { location: 'http://169.254.169.254/' }).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const target = (host: string, path: string) => ({
    url: new URL(`http://${host}:${port}${path}`),
    host,
    addresses: [{ address: '127.0.0.1', family: 4 as const }],
  });
  const base = { headers: {}, body: '{}', timeoutMs: 2000, maxResponseBytes: 1024 };

  it('connects to the checked address even when the name would resolve elsewhere (no second DNS lookup)', async () => {
    // `.invalid` never resolves: reaching the server proves the pinned address was used, with the name as Host.
    const res = await sendOnce({
      ...base,
      target: target('rebind.invalid', '/x'),
      allow: parseAllowList(['127.0.0.1']),
    });
    expect(res.status).toBe(200);
    expect(hosts.at(-1)).toBe(`rebind.invalid:${port}`);
  });

  it('returns a redirect as its status without following it', async () => {
    const res = await sendOnce({
      ...base,
      target: target('r.invalid', '/redirect'),
      allow: parseAllowList(['127.0.0.1']),
    });
    expect(res.status).toBe(302);
  });

  it('stops reading a response body at the cap', async () => {
    const res = await sendOnce({
      ...base,
      target: target('big.invalid', '/big'),
      allow: parseAllowList(['127.0.0.1']),
    });
    expect(res.status).toBe(200);
    expect(res.bodySnippet.length).toBeLessThanOrEqual(200);
  });

  it('drops a connection whose peer is not a permitted address', async () => {
    const err = await sendOnce({ ...base, target: target('p.invalid', '/x'), allow: parseAllowList([]) }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(SendError);
    expect(err).toMatchObject({ kind: 'refused-peer' });
  });

  it('verifies the receiver certificate against the host name over https (a self-signed one fails)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'notifier-tls-'));
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=receiver.test',
        '-addext',
        'subjectAltName=DNS:receiver.test',
      ],
      { stdio: 'ignore' },
    );
    let requests = 0;
    const tls = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
      requests++;
      res.end();
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const tlsPort = (tls.address() as AddressInfo).port;
    try {
      const err = await sendOnce({
        ...base,
        target: {
          url: new URL(`https://receiver.test:${tlsPort}/hook`),
          host: 'receiver.test',
          addresses: [{ address: '127.0.0.1', family: 4 }],
        },
        allow: parseAllowList(['127.0.0.1']),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SendError);
      expect((err as SendError).message).toMatch(/self-signed certificate/);
      expect(requests).toBe(0);
    } finally {
      tls.closeAllConnections();
      await new Promise<void>((r) => tls.close(() => r()));
    }
  });
});
