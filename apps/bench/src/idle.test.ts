import { pendingWork, waitUntilIdle } from './idle';

const metrics = (wait: number, active: number, completed: number, polls: number) =>
  [
    '# HELP queue_jobs jobs in the inference queue by state (read from Redis at scrape time)',
    '# TYPE queue_jobs gauge',
    `queue_jobs{state="wait"} ${wait}`,
    'queue_jobs{state="prioritized"} 0',
    'queue_jobs{state="delayed"} 0',
    `queue_jobs{state="active"} ${active}`,
    `queue_jobs{state="completed"} ${completed}`,
    'queue_jobs{state="failed"} 3',
    '# TYPE gateway_long_polls gauge',
    `gateway_long_polls ${polls}`,
  ].join('\n');

describe('pending work read from gateway metrics', () => {
  it('counts queued and running jobs and waiting requests but not finished jobs', () => {
    expect(pendingWork(metrics(2, 1, 5000, 4))).toBe(7);
  });

  it('is zero when only finished jobs remain', () => {
    expect(pendingWork(metrics(0, 0, 5000, 0))).toBe(0);
  });

  it('is not a number for text that is not a gateway of this service, so nothing is mistaken for idle', () => {
    expect(pendingWork('hello')).toBeNaN();
    expect(pendingWork('')).toBeNaN();
  });
});

describe('waiting for an idle gateway', () => {
  it('returns at once, as unknown, when the address serves no gateway metrics', async () => {
    const http = await import('node:http');
    const server = http.createServer((_req, res) => res.end('not prometheus'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const r = await waitUntilIdle(`http://127.0.0.1:${port}`, { timeoutMs: 5000 });
      expect(r.state).toBe('unknown');
      expect(r.waitedMs).toBeLessThan(1000);
    } finally {
      server.close();
    }
  });

  it('waits while jobs are pending and returns idle once they are gone, after the quiet time', async () => {
    const http = await import('node:http');
    let pending = 3;
    const server = http.createServer((_req, res) => {
      res.end(metrics(pending, 0, 10, 0));
      pending = Math.max(0, pending - 1);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const r = await waitUntilIdle(`http://127.0.0.1:${port}`, { quietMs: 200, pollMs: 20, timeoutMs: 5000 });
      expect(r.state).toBe('idle');
      expect(pending).toBe(0);
      expect(r.waitedMs).toBeGreaterThanOrEqual(200);
    } finally {
      server.close();
    }
  });

  it('gives up as busy after its timeout when work never drains', async () => {
    const http = await import('node:http');
    const server = http.createServer((_req, res) => res.end(metrics(1, 1, 0, 0)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const r = await waitUntilIdle(`http://127.0.0.1:${port}`, { pollMs: 20, timeoutMs: 300 });
      expect(r.state).toBe('busy');
    } finally {
      server.close();
    }
  });
});
