import type { AddressInfo } from 'node:net';
import express from 'express';
import { cors, corsOriginsEnv, parseCorsOrigins, type CorsPolicy } from './cors';

async function serve(policy: CorsPolicy) {
  const app = express();
  app.use(cors(policy));
  app
    .route('/v1/jobs')
    .post((_req, res) => {
      res.status(202).location('/v1/jobs/1').json({ id: '1' });
    })
    .options((_req, res) => {
      // What the gateway's method-not-allowed handler answers to a plain OPTIONS.
      res.set('Allow', 'POST').status(204).end();
    });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise((r) => server.close(r)) };
}

const preflight = (base: string, origin: string) =>
  fetch(`${base}/v1/jobs`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });

describe('CORS_ORIGINS', () => {
  it('is off by default and parses origins, * and mistakes', () => {
    expect(corsOriginsEnv.default).toEqual({ kind: 'off' });
    expect(parseCorsOrigins(' ')).toEqual({ kind: 'off' });
    expect(parseCorsOrigins('*')).toEqual({ kind: 'any' });
    expect(parseCorsOrigins('https://app.example, http://localhost:3000')).toEqual({
      kind: 'list',
      origins: new Set(['https://app.example', 'http://localhost:3000']),
    });
    expect(parseCorsOrigins('https://app.example/')).toEqual({
      error: expect.stringContaining('https://app.example/'),
    });
    expect(parseCorsOrigins('app.example')).toEqual({ error: expect.stringContaining('not an origin') });
  });
});

describe('cors', () => {
  it('sends no CORS header when off, and leaves a preflight to the route', async () => {
    const s = await serve({ kind: 'off' });
    try {
      const pre = await preflight(s.base, 'https://app.example');
      expect(pre.status).toBe(204);
      expect(pre.headers.get('allow')).toBe('POST');
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      const res = await fetch(`${s.base}/v1/jobs`, { method: 'POST', headers: { origin: 'https://app.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await s.close();
    }
  });

  it('answers an allowed origin’s preflight and exposes the API’s headers on its requests', async () => {
    const s = await serve({ kind: 'list', origins: new Set(['https://app.example']) });
    try {
      const pre = await preflight(s.base, 'https://app.example');
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
      expect(pre.headers.get('access-control-allow-headers')).toMatch(/Content-Type/);
      expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
      expect(pre.headers.get('vary')).toMatch(/Origin/);
      const res = await fetch(`${s.base}/v1/jobs`, { method: 'POST', headers: { origin: 'https://app.example' } });
      expect(res.status).toBe(202);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(res.headers.get('access-control-expose-headers')).toMatch(/Location/);
    } finally {
      await s.close();
    }
  });

  it('gives an origin not on the list no CORS headers', async () => {
    const s = await serve({ kind: 'list', origins: new Set(['https://app.example']) });
    try {
      const pre = await preflight(s.base, 'https://evil.example');
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.headers.get('access-control-allow-methods')).toBeNull();
      const res = await fetch(`${s.base}/v1/jobs`, { method: 'POST', headers: { origin: 'https://evil.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('vary')).toMatch(/Origin/);
    } finally {
      await s.close();
    }
  });

  it('allows any origin with *', async () => {
    const s = await serve({ kind: 'any' });
    try {
      const pre = await preflight(s.base, 'https://anyone.example');
      expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    } finally {
      await s.close();
    }
  });
});
