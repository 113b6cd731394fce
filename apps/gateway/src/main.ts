import { createLogger } from '@mserve/common';
import { loadGatewayConfig } from './config';
import { startGateway } from './server';
import { listenFailureLine } from './startup-error';

const logger = createLogger('gateway');

/** Entry point: `node apps/gateway/dist/main.js` (containers) or `tsx apps/gateway/src/main.ts` (dev, tests). */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const gw = await startGateway(config, logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    gw.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  const line = listenFailureLine(err);
  if (line) process.stderr.write(`${line}\n`);
  else logger.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
