/**
 * The queue hop with nothing behind it: a BullMQ worker whose processor returns at once, in a process of its own
 * (like the service's worker). `floor.ts` round-trips jobs through it; prints one JSON line when ready.
 */
import { Worker } from 'bullmq';

const url = new URL(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
const worker = new Worker(process.env['QUEUE_NAME'] ?? 'floor', async (job) => ({ echo: job.data as unknown }), {
  connection: { host: url.hostname, port: Number(url.port || 6379) },
  // As the service's worker: it fetches while it processes.
  concurrency: 32,
});
void worker.waitUntilReady().then(() => process.stdout.write(`${JSON.stringify({ ready: true })}\n`));
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
