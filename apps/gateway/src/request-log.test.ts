import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { createLogger } from '@mserve/common';
import { createGatewayMetrics } from './metrics';
import { requestLog } from './request-log';

async function serve(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const metrics = createGatewayMetrics(
    async () => ({}),
    () => 0,
  );
  const app = express();
  app.use(requestLog(createLogger('test', level, sink), metrics));
  app.get('/v1/thing', (req, res) => {
    res.json({ id: req.id });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/boom', (_req, res) => {
    res.status(503).json({});
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, lines, metrics, close: () => new Promise((r) => server.close(r)) };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('requestLog', () => {
  it('keeps a well-formed client request id, replaces a bad one, and logs each request with it', async () => {
    const s = await serve('info');
    try {
      const kept = await fetch(`${s.base}/v1/thing`, { headers: { 'x-request-id': 'client-7' } });
      expect(kept.headers.get('x-request-id')).toBe('client-7');
      expect(await kept.json()).toEqual({ id: 'client-7' });
      const replaced = await fetch(`${s.base}/v1/thing`, { headers: { 'x-request-id': 'bad id with spaces' } });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      await fetch(`${s.base}/healthz`);
      await settle();
      expect(s.lines.map((l) => [l['msg'], l['reqId'], (l['res'] as { statusCode: number }).statusCode])).toEqual([
        ['request completed', 'client-7', 200],
        ['request completed', replaced.headers.get('x-request-id'), 200],
      ]);
      const metrics = await s.metrics.registry.metrics();
      expect(metrics).toContain('http_request_duration_seconds_count{method="GET",route="/v1/thing",status="200"} 2');
    } finally {
      await s.close();
    }
  });

  it('replaces a client id over 128 characters and logs the replacement at debug', async () => {
    const s = await serve('debug');
    try {
      const long = 'x'.repeat(129);
      const res = await fetch(`${s.base}/v1/thing`, { headers: { 'x-request-id': long } });
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const kept = await fetch(`${s.base}/v1/thing`, { headers: { 'x-request-id': 'x'.repeat(128) } });
      expect(kept.headers.get('x-request-id')).toBe('x'.repeat(128));
      await settle();
      expect(s.lines.filter((l) => l['msg'] === 'client request id replaced')).toEqual([
        expect.objectContaining({ level: 'debug', reqId: id, given: 'x'.repeat(64), givenLength: 129 }),
      ]);
    } finally {
      await s.close();
    }
  });

  it('logs only server errors when the level is warn', async () => {
    const s = await serve('warn');
    try {
      await fetch(`${s.base}/v1/thing`);
      await fetch(`${s.base}/boom`);
      await settle();
      expect(s.lines).toHaveLength(1);
      expect(s.lines[0]).toMatchObject({ level: 'error', msg: 'request completed', res: { statusCode: 503 } });
    } finally {
      await s.close();
    }
  });
});
