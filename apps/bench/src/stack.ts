import path from 'node:path';
import { freePort } from '@mserve/common';
import { spawnRedis, spawnTs, stopProc, waitForHttp, type Proc } from './processes';

/** Rejects when `p` exits (used while waiting for it to become ready). */
function exitFails(p: Proc): Promise<never> {
  return new Promise((_, reject) =>
    p.child.once('exit', (code, signal) => reject(new Error(`${p.name} exited (${signal ?? code}) while starting`))),
  );
}

/** A gateway + workers + Redis started for one benchmark configuration. */
export interface Stack {
  url: string;
  /** Port of the stack's own Redis (its counters are the hop's cost, see `redis-cost.ts`). */
  redisPort: number;
  procs: Proc[];
  stop(): Promise<void>;
}

/**
 * Starts its own Redis, one gateway and `workers` worker processes with the given extra environment, and waits
 * until the gateway is ready. Each configuration gets a fresh stack so runs cannot contaminate each other.
 */
export async function startStack(opts: {
  workers: number;
  env?: NodeJS.ProcessEnv;
  logDir: string;
  /** When set, gateway and workers write V8 CPU profiles here on exit. */
  profileDir?: string;
}): Promise<Stack> {
  const nodeArgs = opts.profileDir ? ['--cpu-prof', '--cpu-prof-dir', opts.profileDir] : [];
  const redisPort = await freePort();
  const redis = spawnRedis(redisPort);
  const port = await freePort();
  const common: NodeJS.ProcessEnv = {
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    QUEUE_NAME: 'bench',
    LOG_LEVEL: 'warn',
    ...opts.env,
  };
  const procs: Proc[] = [redis];
  try {
    const workers: Proc[] = [];
    for (let i = 0; i < opts.workers; i++) {
      const workerPort = await freePort();
      workers.push(
        spawnTs(
          `worker-${i + 1}`,
          'apps/worker/src/main.ts',
          { ...common, WORKER_HTTP_PORT: String(workerPort) },
          opts.logDir,
          nodeArgs,
        ),
      );
    }
    procs.push(...workers);
    const gateway = spawnTs(
      'gateway',
      'apps/gateway/src/main.ts',
      { ...common, PORT: String(port) },
      opts.logDir,
      nodeArgs,
    );
    procs.push(gateway);
    // A gateway that exits (its port taken between freePort and listen, say) must fail the run: another server
    // answering on that port would otherwise be measured in its place.
    await Promise.race([waitForHttp(`http://127.0.0.1:${port}/readyz`, 60000), exitFails(gateway)]);
    gateway.child.removeAllListeners('exit');
  } catch (e) {
    await Promise.all(procs.map((p) => stopProc(p)));
    throw new Error(`${(e as Error).message}; see logs in ${path.resolve(opts.logDir)}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    redisPort,
    procs,
    async stop() {
      // Gateway and workers first (they drain through Redis), Redis last.
      await Promise.all(procs.filter((p) => p.name !== 'redis').map((p) => stopProc(p)));
      await Promise.all(procs.filter((p) => p.name === 'redis').map((p) => stopProc(p)));
    },
  };
}
