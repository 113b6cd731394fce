/**
 * `pnpm shifted:baseline [--split eval|fit] [--seed N] [--digits N] [--ood N] [--threads N] [--json]`: accuracy of
 * the production model on the shifted digits through each preprocessing variant (today's `mnist` mode, the naive
 * resize, and one variant per switchable normalisation step), per look, style and font, plus the model's
 * confidence on digits versus non-digits; writes `reports/shifted-baseline.json` and `.md` (for `--split fit`:
 * `reports/shifted-baseline-fit.*`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { assetPath, repoRoot } from '@mserve/common';
import { loadSavedModel } from '@mserve/model-runtime';
import { ALL_STEPS } from '@mserve/preprocess';
import { DEFAULT_SIZES, generateBenchmark } from './benchmark';
import { parseSplit, positiveInt } from './cli-args';
import { confidenceByKind, evaluateVariant, type Variant } from './evaluate';
import { fontsOf } from './fonts';
import { LOOKS } from './looks';
import { renderBaseline, TARGET_ACCURACY, type BaselineReport } from './report';

const OFF = {
  localPaper: false,
  isolate: false,
  tiltedRulings: false,
  deskew: false,
  stroke: false,
  antialias: false,
  oneFlag: false,
};

/** The preprocessing variants compared; the first is what the service runs, the last two are references. */
export const VARIANTS: Variant[] = [
  { name: 'mnist', description: 'the production preprocessing (`mode: mnist`, DEFAULT_STEPS)', options: {} },
  { name: 'all-steps', description: 'every step on, `stroke` and `antialias` too', options: { steps: ALL_STEPS } },
  ...(Object.keys(OFF) as (keyof typeof OFF)[]).map((step) => ({
    name: `-${step}`,
    description: `every step but \`${step}\``,
    options: { steps: { [step]: false } },
  })),
  {
    name: 'no-steps',
    description: 'every switchable step off: the preprocessing before issue 13',
    options: { steps: OFF },
  },
  {
    name: 'naive',
    description: 'plain resize of the luminance to 28x28, no inversion (`mode: naive`)',
    options: { mode: 'naive' },
  },
];

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const { values } = parseArgs({
    args: argv,
    options: {
      split: { type: 'string', default: 'eval' },
      seed: { type: 'string' },
      digits: { type: 'string' },
      ood: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const log = (m: string): void => {
    if (!values.json) process.stdout.write(`shifted:baseline: ${m}\n`);
  };
  const split = parseSplit(values.split);
  const seed = positiveInt('seed', values.seed, 1);
  const digitsPerLook = positiveInt('digits', values.digits, DEFAULT_SIZES.digitsPerLook);
  const ood = positiveInt('ood', values.ood, DEFAULT_SIZES.nearOodPerLook);
  const threads = positiveInt('threads', values.threads, 2);
  const loadAtStart = os.loadavg()[0] ?? 0;

  const opts = { split, seed, digitsPerLook, nearOodPerLook: ood, farOodPerLook: ood };
  const t0 = performance.now();
  const items = await generateBenchmark(opts, { threads });
  const generationSeconds = (performance.now() - t0) / 1000;
  const digits = items.filter((i) => i.kind === 'digit');
  log(`${items.length} items (${digits.length} digits) rendered in ${generationSeconds.toFixed(1)} s`);

  const model = await loadSavedModel(assetPath('models/mnist_model'));
  try {
    const variants = [];
    for (const v of VARIANTS) {
      const r = await evaluateVariant(model, digits, v);
      log(`${v.name}: ${(100 * r.overall.accuracy).toFixed(1)}% (${r.meanMs.toFixed(1)} ms per image)`);
      variants.push(r);
    }
    const byKind = await confidenceByKind(model, items, VARIANTS[0]!);
    const reached = variants[0]!.overall.accuracy;
    const count = (k: string): number => items.filter((i) => i.kind === k).length;
    const report: BaselineReport = {
      command: ['pnpm shifted:baseline', ...argv].join(' '),
      generatedAt: new Date().toISOString(),
      model: {
        name: model.metadata.name,
        digest: model.metadata.digest,
        inputShape: model.metadata.inputShape,
        backend: model.metadata.backend,
      },
      benchmark: {
        ...opts,
        farOodPerLook: ood,
        looks: [...LOOKS],
        fonts: fontsOf(split).map((f) => f.id),
        items: { digit: count('digit'), 'near-ood': count('near-ood'), 'far-ood': count('far-ood') },
        generationSeconds,
      },
      variants,
      confidence: { variant: VARIANTS[0]!.name, byKind },
      target: { accuracy: TARGET_ACCURACY, variant: VARIANTS[0]!.name, reached, met: reached >= TARGET_ACCURACY },
      machine: { cpus: os.cpus().length, node: process.version, loadAtStart },
    };
    const dir = path.join(repoRoot(), 'reports');
    mkdirSync(dir, { recursive: true });
    const markdown = renderBaseline(report);
    // The evaluation split is the benchmark's result; the fit split's report sits beside it.
    const base = split === 'eval' ? 'shifted-baseline' : `shifted-baseline-${split}`;
    writeFileSync(path.join(dir, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(dir, `${base}.md`), markdown);
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : markdown);
  } finally {
    model.dispose();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`shifted:baseline: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
