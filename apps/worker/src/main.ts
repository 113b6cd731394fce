import { createLogger } from '@mserve/common';
import { loadWorkerConfig } from './config';
import { createEngine, isCalibrationProblem } from './engine';
import { startWorker } from './run';
import { installShutdown } from './shutdown';
import { createWebhookNotifier } from './webhook';

const logger = createLogger('worker');

/** Exit status when the calibration artifact is missing or stale (EX_CONFIG): the launcher reacts to it. */
const EXIT_CALIBRATION = 78;

/** Entry point: `node apps/worker/dist/main.js` (containers) or `tsx apps/worker/src/main.ts` (dev, tests). */
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  let engine;
  try {
    engine = await createEngine({ modelDir: config.MODEL_DIR, calibrationDir: config.CALIBRATION_DIR, logger });
  } catch (e) {
    if (isCalibrationProblem(e)) {
      // One line an operator can act on; the worker does not fit calibration itself (that pipeline is apps/eval).
      process.stderr.write(`worker: ${e.message}\n`);
      process.exit(EXIT_CALIBRATION);
    }
    throw e;
  }
  const webhooks = createWebhookNotifier(config.REDIS_URL, config.QUEUE_PREFIX);
  const running = await startWorker(config, engine, logger, webhooks.notify);
  installShutdown(running, logger, config.SHUTDOWN_TIMEOUT_MS, async () => {
    await webhooks.close();
    engine.dispose();
  });
}

main().catch((err: unknown) => {
  logger.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
