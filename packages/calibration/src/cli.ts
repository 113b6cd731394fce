/**
 * `pnpm calibrate -- --model <dir|name> [--out calibration/] [--if-missing]`: fits the uncertainty calibration of a
 * model and writes `<out>/<digest>.json`, which the worker loads. `--if-missing` first checks for a usable artifact
 * and exits at once when there is one.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureCalibration } from './check';
import { fitModelCalibration } from './fit-model';
import { defaultCalibrationDir, resolveModelDir } from './sources';

const USAGE = 'usage: pnpm calibrate -- --model <dir|name> [--out calibration/] [--if-missing]\n';

async function main(argv: string[], out: (line: string) => void): Promise<void> {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      model: { type: 'string', default: 'mnist_model' },
      out: { type: 'string' },
      'if-missing': { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return out(USAGE.trimEnd());
  const outDir = values.out ? path.resolve(process.cwd(), values.out) : defaultCalibrationDir();
  const model = values.model ?? 'mnist_model';
  const log = (m: string): void => out(`calibrate: ${m}`);
  if (values['if-missing']) {
    await ensureCalibration({ modelDir: resolveModelDir(model), calibrationDir: outDir, log });
    return;
  }
  const { file, artifact } = await fitModelCalibration({ model, outDir, log });
  log(`wrote ${file} for ${artifact.model.name} (${artifact.model.digest})`);
}

main(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).catch((err: unknown) => {
  process.stderr.write(`calibrate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
