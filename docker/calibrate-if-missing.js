// Entry point of the one-shot calibrate image: exits 0 at once when CALIBRATION_DIR already holds a usable artifact
// for the mounted model's digest, otherwise runs the calibrate CLI (apps/eval) to fit and write it. Keeps compose
// and the Kubernetes Job idempotent: re-running them costs one model digest, not a calibration.
const fs = require('node:fs');
const path = require('node:path');

const app = process.env.APP_DIR || '/app';
const load = (name) => require(require.resolve(name, { paths: [app] }));
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const modelDir = flag('--model', process.env.MODEL_DIR || '/assets/models/mnist_model');
const outDir = flag('--out', process.env.CALIBRATION_DIR || '/calibration');

async function main() {
  const { modelDigest } = load('@mserve/model-runtime');
  const { calibrationPath, loadCalibration } = load('@mserve/uncertainty');
  const digest = await modelDigest(modelDir);
  const file = calibrationPath(outDir, digest);
  // The same check the worker makes at start-up (digest, artifact format and version), so a file left by an
  // older build is refitted instead of being skipped and then refused by every worker.
  try {
    loadCalibration(outDir, { digest, name: path.basename(modelDir) });
    process.stdout.write(`calibrate: ${file} already present for ${digest}, nothing to do\n`);
    return;
  } catch (err) {
    process.stdout.write(`calibrate: ${err && err.message ? err.message : String(err)}; fitting it\n`);
  }
  fs.mkdirSync(outDir, { recursive: true });
  process.argv = [process.argv[0], path.join(app, 'dist/calibrate.js'), '--model', modelDir, '--out', outDir];
  require(path.join(app, 'dist/calibrate.js'));
}

main().catch((err) => {
  process.stderr.write(`calibrate: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
