/**
 * `pnpm preprocess:eval [--json] [--limit N] [--runs N]`: accuracy of the production model on realistic uploads
 * built from the MNIST test set (raw vs `mnist` vs `naive` preprocessing) and per-image preprocessing cost; writes
 * `reports/preprocess.md` and `reports/preprocess.json`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { assetPath, cliArgs, repoRoot } from '@mserve/common';
import { loadMnistTest } from '@mserve/datasets';
import { loadSavedModel } from '@mserve/model-runtime';
import { measureCosts } from './preprocess-costs';
import { renderMarkdown, type PreprocessReport } from './preprocess-report';
import { evaluateUploads } from './preprocess-uploads';

/** Default sample: 2000 uploads keep the run under two minutes on two shared cores; `--limit 10000` is the full set. */
const DEFAULT_LIMIT = 2000;
const DEFAULT_RUNS = 30;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const argv = cliArgs();
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      limit: { type: 'string' },
      runs: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: pnpm preprocess:eval [--json] [--limit N (default 2000; 10000 = all)] [--runs N (default 30)]\n',
    );
    return;
  }
  const limit = positive('limit', values.limit, DEFAULT_LIMIT);
  const runs = positive('runs', values.runs, DEFAULT_RUNS);
  const log = (m: string): void => {
    if (!values.json) process.stdout.write(`preprocess:eval: ${m}\n`);
  };

  const loadAtStart = os.loadavg()[0] ?? 0;
  const model = await loadSavedModel(assetPath('models/mnist_model'));
  try {
    const test = await loadMnistTest();
    log(`model ${model.metadata.name} ${model.metadata.digest}; ${Math.min(limit, test.n)} uploads`);
    const uploads = await evaluateUploads(model, test, limit, (done) => log(`${done} uploads done`));
    const loadAtCosts = os.loadavg()[0] ?? 0;
    const costs = await measureCosts(assetPath('data/images'), model.metadata.inputShape, runs);
    const report: PreprocessReport = {
      command: ['pnpm preprocess:eval', ...argv].join(' '),
      generatedAt: new Date().toISOString(),
      model: {
        name: model.metadata.name,
        digest: model.metadata.digest,
        inputShape: model.metadata.inputShape,
        backend: model.metadata.backend,
      },
      uploads,
      costs,
      checks: {
        withinTwoPointsOfRaw: uploads.mnist.accuracy >= uploads.raw.accuracy - 0.02,
        fifteenPointsAboveNaive: uploads.mnist.accuracy >= uploads.naive.accuracy + 0.15,
      },
      machine: { cpus: os.cpus().length, node: process.version, loadAtStart, loadAtCosts },
    };
    const dir = path.join(repoRoot(), 'reports');
    mkdirSync(dir, { recursive: true });
    const markdown = renderMarkdown(report);
    writeFileSync(path.join(dir, 'preprocess.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(dir, 'preprocess.md'), markdown);
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : markdown);
  } finally {
    model.dispose();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`preprocess:eval: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
