/**
 * `pnpm drift:eval [--cache <dir>]`: measures the drift monitor on the worker's real results, computed in-process,
 * and writes reports/drift.json and reports/drift.md, plus the reference of in-distribution traffic the service
 * compares with (packages/drift/src/reference-data.ts, keyed by model digest). The reference is the calibration
 * split (MNIST test, even indices); the measurements stream:
 * - all 10,000 MNIST test digits (in order, then in seeded shuffles) through a sliding window: false alarms;
 * - a window full of held-out MNIST digits (odd indices), then Fashion-MNIST items or shifted digits: requests until
 *   the alarm;
 * - 2,000 held-out MNIST digits with their true labels as feedback: estimated against realised accuracy.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cliArgs, repoRoot } from '@mserve/common';
import { loadCalibration, loadModel, loadShifted, preprocessForCalibration, SHIFTED_EVAL } from '@mserve/calibration';
import { loadFashionMnistTest, loadMnistTest } from '@mserve/datasets';
import { preprocessingFingerprint } from '@mserve/preprocess';
import { DEFAULT_ALARM_RULE, buildReference, type AlarmRule, type DriftReference } from '@mserve/drift';
import { UncertaintyEngine } from '@mserve/uncertainty';
import { prepareImages, type PreparedSet } from '@mserve/uncertainty/fit';
import {
  SERVICE_PARAMS,
  assessStream,
  falseAlarms,
  feedbackAgreement,
  median,
  requestsUntilAlarm,
  shuffled,
  type Assessed,
} from './drift-run';
import { renderDriftMarkdown, type DriftReport } from './drift-report';

/** Sliding window of the measurements, requests (the service's time windows hold what arrives in 5 min or 1 h). */
const WINDOW = 500;
const SHUFFLES = 20;
const SWITCH_RUNS = 20;
const FEEDBACK_N = 2000;
const SWEEP = [3, 4, 5, 6, 7, 8, 10, 12];

const range = (n: number, start = 0, step = 1): number[] =>
  Array.from({ length: Math.ceil((n - start) / step) }, (_, i) => start + i * step);

async function main(): Promise<void> {
  const started = performance.now();
  parseArgs({ args: cliArgs(), options: {} });
  const log = (m: string): void => void process.stderr.write(`drift:eval: ${m}\n`);

  const model = await loadModel('mnist_model');
  const meta = model.metadata;
  const artifact = loadCalibration(path.join(repoRoot(), 'calibration'), { digest: meta.digest, name: meta.name });
  const engine = UncertaintyEngine.create(artifact, model);

  // The assessed streams depend only on the model, its calibration and the preprocessing: cached (gitignored) so
  // a rerun that changes the rule or the measurements takes seconds.
  const cacheFile = path.join(
    repoRoot(),
    '.calibration',
    `drift-streams-${createHash('sha256')
      .update(`${meta.digest}|${artifact.createdAt}|${await preprocessingFingerprint([28, 28])}`)
      .digest('hex')
      .slice(0, 16)}.json`,
  );
  let streams: { mnist: Assessed[]; fashion: Assessed[]; shifted: Assessed[] };
  if (existsSync(cacheFile)) {
    streams = JSON.parse(readFileSync(cacheFile, 'utf8')) as typeof streams;
  } else {
    const test = await loadMnistTest();
    const fashionRaw = await loadFashionMnistTest();
    log('preprocessing MNIST test and Fashion-MNIST test');
    const mnistSet = await prepareImages(test, range(test.n), preprocessForCalibration);
    const fashionSet = await prepareImages(fashionRaw, range(3000), preprocessForCalibration);
    log('loading shifted digits (evaluation split)');
    const shiftedSet: PreparedSet = (await loadShifted(SHIFTED_EVAL, log)).digits;
    log('assessing');
    streams = {
      mnist: await assessStream(model, engine, mnistSet),
      fashion: await assessStream(model, engine, fashionSet),
      shifted: await assessStream(model, engine, shiftedSet),
    };
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, JSON.stringify(streams));
  }
  model.dispose();
  const { mnist, fashion, shifted } = streams;

  // prepareImages keeps every MNIST digit (none is refused), so item i is test digit i.
  const even = mnist.filter((_, i) => i % 2 === 0);
  const odd = mnist.filter((_, i) => i % 2 === 1);
  const ref = buildReference(
    even,
    { name: meta.name, digest: meta.digest },
    `MNIST test even indices (the calibration split), samples=${SERVICE_PARAMS.samples} alpha=${SERVICE_PARAMS.alpha}`,
  );

  const measure = (rule: AlarmRule) => {
    const inOrder = falseAlarms(mnist, ref, rule, WINDOW);
    const heldOut = falseAlarms(odd, ref, rule, WINDOW);
    const shuffles = range(SHUFFLES).map((s) => falseAlarms(shuffled(mnist, 1000 + s), ref, rule, WINDOW));
    const all = [inOrder, ...shuffles];
    const windows = all.reduce((a, r) => a + r.windows, 0);
    const alarms = all.reduce((a, r) => a + r.alarms, 0);
    const switchTo = (target: readonly Assessed[]) => {
      const runs = range(SWITCH_RUNS).map((s) =>
        requestsUntilAlarm(shuffled(odd, 2000 + s).slice(0, WINDOW), shuffled(target, 3000 + s), ref, rule, WINDOW),
      );
      const req = runs.map((r) => r.requests);
      return {
        runs: runs.length,
        alarmed: req.filter((r) => r !== null).length,
        medianRequests: median(req),
        maxRequests: req.some((r) => r === null) ? null : Math.max(...(req as number[])),
        drivers: [...new Set(runs.map((r) => r.driver).filter((d): d is string => d !== null))],
      };
    };
    return {
      rule,
      falseAlarms: {
        inOrder,
        heldOut,
        shuffles: {
          runs: SHUFFLES,
          windows: shuffles.reduce((a, r) => a + r.windows, 0),
          alarms: shuffles.reduce((a, r) => a + r.alarms, 0),
          maxScore: Math.max(...shuffles.map((r) => r.maxScore)),
          maxInputScore: Math.max(...shuffles.map((r) => r.maxInputScore)),
        },
        windows,
        alarms,
        rate: alarms / Math.max(1, windows),
        maxScore: Math.max(...all.map((r) => r.maxScore)),
      },
      fashion: switchTo(fashion),
      shifted: switchTo(shifted),
    };
  };

  log('measuring');
  const chosen = measure(DEFAULT_ALARM_RULE);
  const sweep = SWEEP.map((threshold) => {
    const m = measure({ ...DEFAULT_ALARM_RULE, threshold });
    return {
      threshold,
      falseAlarmRate: m.falseAlarms.rate,
      fashionMedianRequests: m.fashion.medianRequests,
      fashionAlarmed: m.fashion.alarmed,
      shiftedMedianRequests: m.shifted.medianRequests,
      shiftedAlarmed: m.shifted.alarmed,
    };
  });
  const feedback = feedbackAgreement(odd.slice(0, FEEDBACK_N), ref);

  const report: DriftReport = {
    generatedAt: new Date().toISOString(),
    command: 'pnpm drift:eval',
    durationSeconds: (performance.now() - started) / 1000,
    model: ref.model,
    window: WINDOW,
    streams: { mnist: mnist.length, fashion: fashion.length, shifted: shifted.length },
    reference: ref,
    rule: DEFAULT_ALARM_RULE,
    falseAlarms: chosen.falseAlarms,
    fashion: chosen.fashion,
    shifted: chosen.shifted,
    sweep,
    feedback: { ...feedback, target: 0.02, met: feedback.gap <= 0.02 },
    streamMeans: {
      mnist: streamMeans(mnist),
      fashion: streamMeans(fashion),
      shifted: streamMeans(shifted),
    },
  };
  const out = path.join(repoRoot(), 'reports');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'drift.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(path.join(out, 'drift.md'), renderDriftMarkdown(report));
  writeReference(ref);
  process.stdout.write(
    `false alarms ${chosen.falseAlarms.alarms}/${chosen.falseAlarms.windows} windows (max score ${chosen.falseAlarms.maxScore.toFixed(2)}); ` +
      `Fashion alarm after ${chosen.fashion.medianRequests} requests (median), shifted after ${chosen.shifted.medianRequests}; ` +
      `feedback gap ${feedback.gap.toFixed(4)}\n`,
  );
}

function streamMeans(items: readonly Assessed[]) {
  const n = items.length;
  const labelled = items.filter((o) => o.correct !== undefined);
  return {
    n,
    oodRate: items.filter((o) => o.oodFlag).length / n,
    meanReliability: items.reduce((a, o) => a + o.reliability, 0) / n,
    accuracy: labelled.length ? labelled.filter((o) => o.correct).length / labelled.length : null,
  };
}

function writeReference(ref: DriftReference): void {
  const file = path.join(repoRoot(), 'packages/drift/src/reference-data.ts');
  const text =
    '// Generated by `pnpm drift:eval` (apps/eval/src/drift-eval.ts); do not edit.\n' +
    "import type { DriftReference } from './stats';\n\n" +
    `export const REFERENCE_DATA: Record<string, DriftReference> = ${JSON.stringify({ [ref.model.digest]: ref }, null, 2)};\n`;
  writeFileSync(file, text);
}

main().catch((err: unknown) => {
  process.stderr.write(`drift:eval: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
