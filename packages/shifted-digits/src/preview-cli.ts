/**
 * `pnpm shifted:preview [--split fit|eval] [--seed N] [--digits N] [--ood N]`: one contact sheet per look,
 * `reports/shifted/<look>.png` (digits first, then near-OOD and far-OOD items), for a person to judge whether the
 * looks are realistic and the digits legible. The items are the first ones of the benchmark with that seed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@mserve/common';
import { generateBenchmark } from './benchmark';
import { contactSheet } from './contact-sheet';
import { parseSplit, positiveInt } from './cli-args';
import { LOOKS } from './looks';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      split: { type: 'string', default: 'eval' },
      seed: { type: 'string' },
      digits: { type: 'string' },
      ood: { type: 'string' },
    },
  });
  const split = parseSplit(values.split);
  const seed = positiveInt('seed', values.seed, 1);
  const digits = positiveInt('digits', values.digits, 30);
  const ood = positiveInt('ood', values.ood, 10);
  const dir = path.join(repoRoot(), 'reports', 'shifted');
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  for (const look of LOOKS) {
    const items = await generateBenchmark(
      { split, seed, looks: [look], digitsPerLook: digits, nearOodPerLook: ood, farOodPerLook: ood },
      { threads: 2 },
    );
    const file = path.join(dir, `${look}.png`);
    writeFileSync(file, await contactSheet(items));
    process.stdout.write(`shifted:preview: ${path.relative(repoRoot(), file)} (${items.length} items)\n`);
  }
  process.stdout.write(`shifted:preview: done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`shifted:preview: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
