import { createLogger } from '@mserve/common';
import { loadNotifierConfig } from './config';
import { startNotifier } from './run';

const log = createLogger('notifier');

async function main(): Promise<void> {
  const notifier = await startNotifier(loadNotifierConfig());
  const stop = (signal: string): void => {
    log.info({ signal }, 'signal received');
    notifier.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a second signal (a supervisor repeating itself) must not kill in-flight deliveries.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'notifier failed to start');
  process.exit(1);
});
