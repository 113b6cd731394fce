import type { AddressInfo } from 'node:net';
import express from 'express';
import { HTML_CSP, securityHeaders } from './security-headers';

async function serve() {
  const app = express();
  app.use(securityHeaders());
  app.get('/page', (_req, res) => {
    res.type('html').send('<!doctype html><p>hi</p>');
  });
  app.get('/own-policy', (_req, res) => {
    res.set('Content-Security-Policy', "default-src 'self' https://cdn.example");
    res.type('html').send('<p>with a CDN</p>');
  });
  app.get('/json', (_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no' } });
  });
  app.get('/raw', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('plain');
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise((r) => server.close(r)) };
}

describe('securityHeaders', () => {
  it('gives HTML pages a self-only CSP that forbids framing, no-referrer and nosniff', async () => {
    const s = await serve();
    try {
      const res = await fetch(`${s.base}/page`);
      expect(res.headers.get('content-security-policy')).toBe(HTML_CSP);
      expect(HTML_CSP).toContain("default-src 'self'");
      expect(HTML_CSP).toContain("frame-ancestors 'none'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    } finally {
      await s.close();
    }
  });

  it('keeps a policy the page set itself', async () => {
    const s = await serve();
    try {
      const res = await fetch(`${s.base}/own-policy`);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'self' https://cdn.example");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    } finally {
      await s.close();
    }
  });

  it('marks every other response nosniff without the HTML-only headers', async () => {
    const s = await serve();
    try {
      for (const p of ['/json', '/raw']) {
        const res = await fetch(`${s.base}${p}`);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('content-security-policy')).toBeNull();
        expect(res.headers.get('referrer-policy')).toBeNull();
      }
    } finally {
      await s.close();
    }
  });
});
