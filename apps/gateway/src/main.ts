import { createLogger, installShutdown } from '@mserve/common';
import { startTracing } from '@mserve/tracing';
import { loadGatewayConfig } from './config';
import { startGateway } from './server';
import { listenFailureLine } from './startup-error';

const logger = createLogger('gateway');

/** Entry point: `node apps/gateway/dist/main.js` (containers) or `tsx apps/gateway/src/main.ts` (dev, tests). */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const tracing = await startTracing('mserve-gateway');
  const gw = await startGateway(config, logger);
  const stop = { close: async () => (await gw.close(), await tracing.shutdown()) };
  installShutdown(stop, logger, { timeoutMs: config.SHUTDOWN_TIMEOUT_MS, messages: { stopped: 'gateway stopped' } });
}

main().catch((err: unknown) => {
  const line = listenFailureLine(err);
  if (line) process.stderr.write(`${line}\n`);
  else logger.fatal({ err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
