/**
 * Worker thread entry of {@link generateBenchmark}: renders the specs it is given, in order, and posts each item
 * back with its index (the image bytes transferred, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { renderItem, type ItemSpec } from './item';

interface Job {
  specs: { index: number; spec: ItemSpec }[];
}

async function run(): Promise<void> {
  const { specs } = workerData as Job;
  for (const { index, spec } of specs) {
    const item = await renderItem(spec);
    const bytes = new Uint8Array(item.image.buffer, item.image.byteOffset, item.image.byteLength).slice();
    parentPort!.postMessage({ index, item: { ...item, image: bytes } }, [bytes.buffer]);
  }
}

run().catch((err: unknown) => {
  parentPort!.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
});
