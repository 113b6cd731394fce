import { createLogger, installShutdown } from '@mserve/common';
import { startTracing } from '@mserve/tracing';
import { loadNotifierConfig } from './config';
import { startNotifier } from './run';

const log = createLogger('notifier');

async function main(): Promise<void> {
  const config = loadNotifierConfig();
  const tracing = await startTracing('mserve-notifier');
  const started = await startNotifier(config);
  const notifier = { close: async () => (await started.close(), await tracing.shutdown()) };
  // A repeated signal (a supervisor repeating itself) must not cut in-flight deliveries short: installShutdown
  // closes once. close() bounds the drain by SHUTDOWN_TIMEOUT_MS itself and then releases its connections; the
  // margin only catches a close that hangs after that.
  installShutdown(notifier, log, {
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS + 5_000,
    messages: { stopping: 'signal received', stopped: 'exiting' },
  });
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'notifier failed to start');
  process.exit(1);
});
