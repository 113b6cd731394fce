import type { Logger } from '@mserve/common';

/**
 * Graceful stop on SIGTERM/SIGINT: the worker stops fetching, finishes its in-flight batch, and closes; if that
 * takes longer than `timeoutMs` (kept below the orchestrator's grace period) it exits anyway, and the jobs it held
 * are recovered by another worker's stalled-job check.
 */
export function installShutdown(
  target: { close(): Promise<void> },
  logger: Logger,
  timeoutMs: number,
  onClosed: () => Promise<void> | void = () => undefined,
): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining: no new jobs, finishing the in-flight batch');
    const force = setTimeout(() => {
      logger.error({ timeoutMs }, 'drain timed out; exiting, held jobs will be recovered as stalled');
      process.exit(1);
    }, timeoutMs);
    force.unref();
    target
      .close()
      .then(() => onClosed())
      .then(
        () => {
          logger.info('worker stopped');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
