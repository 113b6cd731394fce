import { readFileSync } from 'node:fs';
import path from 'node:path';
import { preprocess, type PreprocessMode } from '@mserve/preprocess';

/** The shared sample files whose per-image cost the report gives. */
export const COST_FILES = [
  { file: '3.png', label: '28x28 PNG' },
  { file: 'colour_500_332.jpg', label: '500x332 JPEG' },
  { file: 'grayscale_999_893.png', label: '999x893 PNG' },
] as const;

/** Wall-time distribution of preprocessing one file, ms. */
export interface Cost {
  label: string;
  file: string;
  bytes: number;
  mode: PreprocessMode;
  runs: number;
  p50: number;
  p90: number;
  mean: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Times `preprocess` on each cost file, sequentially (one image in flight: the cost of an image, not the
 * throughput of the machine), after a few warm-up calls so one-off initialisation is not counted.
 */
export async function measureCosts(imagesDir: string, inputShape: number[], runs: number): Promise<Cost[]> {
  const out: Cost[] = [];
  for (const { file, label } of COST_FILES) {
    const buf = readFileSync(path.join(imagesDir, file));
    for (const mode of ['mnist', 'naive'] as const) {
      for (let i = 0; i < 3; i++) await preprocess(buf, { inputShape, mode });
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await preprocess(buf, { inputShape, mode });
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const mean = times.reduce((s, t) => s + t, 0) / times.length;
      out.push({
        label,
        file,
        bytes: buf.length,
        mode,
        runs,
        p50: quantile(times, 0.5),
        p90: quantile(times, 0.9),
        mean,
      });
    }
  }
  return out;
}
