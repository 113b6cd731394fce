import { isCalibrationError } from '@mserve/calibration';
import { createLogger, installShutdown } from '@mserve/common';
import { startTracing } from '@mserve/tracing';
import { loadWorkerConfig } from './config';
import { createModelInference } from './model-inference';
import { startRepositoryWorker } from './repository-worker';
import { startWorker } from './run';
import { createWebhookNotifier } from './webhook';

const logger = createLogger('worker');

/** Exit status when the calibration artifact is missing or stale (EX_CONFIG): the launcher reacts to it. */
const EXIT_CALIBRATION = 78;

/** Entry point: `node apps/worker/dist/main.js` (containers) or `tsx apps/worker/src/main.ts` (dev, tests). */
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  if (config.MODEL_REPOSITORY) {
    const webhooks = createWebhookNotifier(config, config.QUEUE_PREFIX);
    const running = await startRepositoryWorker(config, logger, webhooks.notify);
    installShutdown(running, logger, {
      timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      onClosed: () => webhooks.close(),
      messages: {
        stopping: 'draining: no new jobs, finishing the in-flight batches',
        timedOut: 'drain timed out; exiting, held jobs will be recovered as stalled',
        stopped: 'worker stopped',
      },
    });
    return;
  }
  let inference;
  try {
    inference = await createModelInference({
      modelDir: config.MODEL_DIR,
      calibrationDir: config.CALIBRATION_DIR,
      logger,
    });
  } catch (e) {
    if (isCalibrationError(e)) {
      // One line an operator can act on; the worker does not fit calibration itself (`pnpm calibrate`).
      process.stderr.write(`worker: ${e.message}\n`);
      process.exit(EXIT_CALIBRATION);
    }
    throw e;
  }
  const tracing = await startTracing('mserve-worker');
  const webhooks = createWebhookNotifier(config, config.QUEUE_PREFIX);
  const running = await startWorker(config, inference, logger, webhooks.notify);
  // Stops fetching, finishes the in-flight batch and closes; past the timeout (kept below the orchestrator's grace
  // period) it exits anyway, and the jobs it held are recovered by another worker's stalled-job check.
  installShutdown(running, logger, {
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onClosed: async () => {
      await webhooks.close();
      inference.dispose();
      await tracing.shutdown();
    },
    messages: {
      stopping: 'draining: no new jobs, finishing the in-flight batch',
      timedOut: 'drain timed out; exiting, held jobs will be recovered as stalled',
      stopped: 'worker stopped',
    },
  });
}

main().catch((err: unknown) => {
  logger.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
