import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import IORedis from 'ioredis';
import {
  REDIS_URL,
  ROOT,
  closeHttp,
  freePort,
  postImage,
  request,
  sampleImages,
  spawnTs,
  startGateway,
  startWorker,
  uniqueQueue,
  waitUntil,
  type Proc,
} from '@mserve/testkit';

// One trace across real processes: gateway HTTP -> enqueue -> worker (queue wait, batch) -> notifier delivery. An
// in-memory exporter cannot see other processes, so the test is the OTLP/HTTP JSON receiver every process exports to.
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}
interface Received extends OtlpSpan {
  service: string;
}

const prefix = `test-trace-${randomUUID().slice(0, 8)}`;
const queue = uniqueQueue('tracing');
const spans: Received[] = [];
const hooks: http.IncomingHttpHeaders[] = [];
const procs: Proc[] = [];
const servers: http.Server[] = [];
let base = '';
let otlp = '';
let hookUrl = '';

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return `http://127.0.0.1:${port}`;
}

function collect(body: string): void {
  const doc = JSON.parse(body) as {
    resourceSpans: {
      resource: { attributes: { key: string; value: { stringValue?: string } }[] };
      scopeSpans: { spans: OtlpSpan[] }[];
    }[];
  };
  for (const rs of doc.resourceSpans) {
    const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
    for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service });
  }
}

beforeAll(async () => {
  otlp = await listen((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') collect(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  hookUrl = `${await listen((req, res) => {
    hooks.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  })}/hook`;
  const env = {
    REDIS_URL,
    QUEUE_NAME: queue,
    QUEUE_PREFIX: prefix,
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  procs.push((await startWorker(env)).proc);
  const g = await startGateway(env);
  procs.push(g.proc);
  base = g.base;
  const notifier = spawnTs(path.join(ROOT, 'apps/notifier/src/main.ts'), {
    ...env,
    NOTIFIER_HTTP_PORT: String(await freePort()),
    HOST: '127.0.0.1',
    WEBHOOK_SECRETS: `whsec_${randomBytes(24).toString('base64')}`,
  });
  procs.push(notifier);
  await waitUntil(() => notifier.output().includes('notifier ready'), 60_000, 'notifier');
}, 180_000);

afterAll(async () => {
  closeHttp();
  await Promise.all(procs.map((p) => p.stop()));
  for (const s of servers) s.close();
  const redis = new IORedis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('tracing across gateway, worker and notifier', () => {
  it("puts a job with a webhook into the client's trace, with the queue wait as a span of its own", async () => {
    const traceId = randomBytes(16).toString('hex');
    const clientSpan = randomBytes(8).toString('hex');
    const webhook = JSON.stringify({ url: hookUrl, events: ['completed'] });
    const res = await postImage(
      base,
      '/v1/jobs',
      sampleImages().find((i) => i.name === '5.png')!.bytes,
      `?samples=2&webhook=${encodeURIComponent(webhook)}`,
      {
        traceparent: `00-${traceId}-${clientSpan}-01`,
      },
    );
    expect(res.status).toBe(202);
    const done = await request(`${base}/v1/jobs/${res.body.id}?wait=30`);
    expect(done.body.status).toBe('completed');
    await waitUntil(() => hooks.length > 0, 30_000, 'webhook delivered');

    const ours = () => spans.filter((s) => s.traceId === traceId);
    await waitUntil(
      () =>
        ['mserve-gateway', 'mserve-worker', 'mserve-notifier'].every((svc) => ours().some((s) => s.service === svc)),
      30_000,
      'spans of all three services',
    );
    await waitUntil(() => ours().some((s) => s.name === 'webhook delivery'), 10_000, 'delivery span');
    const byName = (name: string) => {
      const s = ours().find((x) => x.name === name);
      if (!s) throw new Error(`no span ${name} in ${JSON.stringify(ours().map((x) => [x.service, x.name]))}`);
      return s;
    };
    const server = byName('POST /v1/jobs');
    expect(server.service).toBe('mserve-gateway');
    expect(server.parentSpanId).toBe(clientSpan);
    expect(byName('enqueue').parentSpanId).toBe(server.spanId);
    const job = byName('inference job');
    expect(job.service).toBe('mserve-worker');
    expect(job.parentSpanId).toBe(server.spanId);
    const wait = byName('queue wait');
    expect(wait.parentSpanId).toBe(server.spanId);
    expect(BigInt(wait.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(wait.startTimeUnixNano));
    const batch = byName('batch inference');
    expect(batch.parentSpanId).toBe(job.spanId);
    // The batch starts where the queue wait ends.
    expect(batch.startTimeUnixNano).toBe(wait.endTimeUnixNano);
    const delivery = byName('webhook delivery');
    expect(delivery.service).toBe('mserve-notifier');
    expect(delivery.parentSpanId).toBe(job.spanId);
  }, 120_000);
});
