/**
 * `pnpm calibrate -- --model <dir|name> [--out calibration/]`: fits the uncertainty calibration of a model and
 * writes `<out>/<digest>.json`, which the worker loads.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cliArgs } from '@mserve/common';
import { preprocessingFingerprint } from '@mserve/preprocess';
import { fitCalibration, saveCalibration } from '@mserve/uncertainty';
import {
  calibrationSources,
  defaultCalibrationDir,
  loadModel,
  digitUpload,
  preprocessForCalibration,
} from './calib-models';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: cliArgs(),
    options: { model: { type: 'string', default: 'mnist_model' }, out: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write('usage: pnpm calibrate -- --model <dir|name> [--out calibration/]\n');
    return;
  }
  const out = values.out ? path.resolve(process.cwd(), values.out) : defaultCalibrationDir();
  const model = await loadModel(values.model ?? 'mnist_model');
  try {
    const { train, test } = await calibrationSources();
    const artifact = await fitCalibration({
      model,
      preprocessPixels: preprocessForCalibration,
      train,
      digitUpload,
      calibration: test,
      log: (m) => process.stdout.write(`calibrate: ${m}\n`),
    });
    artifact.preprocessing = { fingerprint: await preprocessingFingerprint(model.metadata.inputShape) };
    const file = saveCalibration(out, artifact);
    process.stdout.write(`calibrate: wrote ${file} for ${model.metadata.name} (${model.metadata.digest})\n`);
  } finally {
    model.dispose();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`calibrate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
