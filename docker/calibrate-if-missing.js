// Entry point of the one-shot calibrate image: `ensureCalibration` of @mserve/calibration (APP_DIR, default /app,
// is that package deployed with its production dependencies). It exits 0 at once when CALIBRATION_DIR already holds
// an artifact the worker would accept for the mounted model (the worker's own check: digest, format, features),
// otherwise fits and writes it. Keeps compose and the Kubernetes Job idempotent: re-running them costs one model
// digest, not a calibration.
const path = require('node:path');

const app = process.env.APP_DIR || '/app';
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const modelDir = flag('--model', process.env.MODEL_DIR || '/assets/models/mnist_model');
const outDir = flag('--out', process.env.CALIBRATION_DIR || '/calibration');

async function main() {
  const { ensureCalibration } = require(path.join(app, 'dist', 'index.js'));
  await ensureCalibration({
    modelDir,
    calibrationDir: outDir,
    log: (m) => process.stdout.write(`calibrate: ${m}\n`),
  });
}

main().catch((err) => {
  process.stderr.write(`calibrate: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
