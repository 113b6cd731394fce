/**
 * A worker hosting models of the repository: every served version of the models of WORKER_MODELS (all when
 * empty) gets a model, its calibration and consumers on its own queue. The repository is scanned every
 * MODEL_POLL_MS, so a version dropped in later is hosted without a restart; its state goes `loading` →
 * (`calibrating`, while a missing calibration is fitted in a background process) → `ready` once its consumers
 * run, or `failed` with the reason. States live in Redis (`versionStatesKey`), where every gateway reads them.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isCalibrationError } from '@mserve/calibration';
import { repoRoot, resolveAssetsDir, type Logger } from '@mserve/common';
import { modelQueueName, versionStatesKey, type VersionStatus } from '@mserve/contracts';
import {
  applyVersionPolicy,
  parseVersionPolicy,
  readRepository,
  type RepositoryListing,
} from '@mserve/model-runtime/repository';
import { createRedis } from '@mserve/redis';
import type { WorkerConfig } from './config';
import { startWorkerHttp } from './http';
import type { InferenceEngine } from './inference';
import { createWorkerMetrics } from './metrics';
import { createModelInference } from './model-inference';
import { startWorker, type RunningWorker } from './run';
import type { WebhookNotifier } from './webhook';

interface Hosted {
  name: string;
  version: number;
  dir: string;
  signature: string;
  status: VersionStatus;
  running?: RunningWorker;
  engine?: InferenceEngine;
}

/** A running repository worker. */
export interface RunningRepositoryWorker {
  httpPort: number;
  /** Hosted versions by `<name>@<version>` with their state. */
  hosted(): Record<string, VersionStatus>;
  close(): Promise<void>;
}

/** How much lower the fit's CPU priority is than the worker's (a weight about a third of the serving's). */
const CALIBRATION_NICENESS = 5;

/**
 * Fits a calibration in a child process (`pnpm calibrate`), so the worker's event loop keeps serving; the child
 * runs at a lower CPU priority, so on a busy machine the versions already serving keep most of the cycles (a rollout must not slow the traffic it is about to take over).
 */
export function calibrateInBackground(modelDir: string, outDir: string, logger: Logger): Promise<void> {
  const root = repoRoot();
  const src = path.join(root, 'packages/calibration/src/cli.ts');
  const args = existsSync(src)
    ? ['--conditions=development', '--import', 'tsx', src]
    : [path.join(root, 'packages/calibration/dist/cli.js')];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args, '--model', modelDir, '--out', outDir], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      if (child.pid !== undefined) os.setPriority(child.pid, Math.min(19, os.getPriority() + CALIBRATION_NICENESS));
    } catch {
      // Not allowed here (an unusual sandbox): the fit still runs, at the worker's priority.
    }
    let err = '';
    child.stderr?.on('data', (b: Buffer) => {
      err = (err + b.toString()).slice(-2000);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) return resolve();
      logger.warn({ modelDir, code }, 'calibration failed');
      reject(new Error(`calibration exited ${code}: ${err.trim().split('\n').pop() ?? ''}`));
    });
  });
}

/** Starts hosting; see the module comment. */
export async function startRepositoryWorker(
  config: WorkerConfig,
  logger: Logger,
  notify: WebhookNotifier,
): Promise<RunningRepositoryWorker> {
  const location = path.resolve(repoRoot(), config.MODEL_REPOSITORY);
  const calibrationDir = path.resolve(repoRoot(), config.CALIBRATION_DIR);
  const policy = parseVersionPolicy(config.MODEL_VERSION_POLICY);
  const only = config.WORKER_MODELS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Through the factory like every other connection, so version states follow sentinels and clusters too.
  const redis = createRedis(config, 'blocking');
  redis.on('error', (err) => logger.debug({ err: err.message }, 'redis state connection error'));
  const statesKey = versionStatesKey(config.QUEUE_NAME, config.QUEUE_PREFIX);
  const hosted = new Map<string, Hosted>();
  const seen = new Map<string, string>();
  let closing = false;

  const setState = async (h: Hosted, state: VersionStatus['state'], reason?: string) => {
    h.status = {
      state,
      ...(reason ? { reason } : {}),
      ...(h.engine ? { digest: h.engine.card.digest } : {}),
      updatedAt: Date.now(),
    };
    logger.info({ model: h.name, version: h.version, state, reason }, 'model version state');
    await redis.hset(statesKey, `${h.name}@${h.version}`, JSON.stringify(h.status)).catch(() => undefined);
  };

  const host = async (h: Hosted): Promise<void> => {
    await setState(h, 'loading');
    const load = () => createModelInference({ modelDir: h.dir, calibrationDir, logger, name: h.name });
    let engine: InferenceEngine;
    try {
      try {
        engine = await load();
      } catch (e) {
        if (!isCalibrationError(e) || !config.CALIBRATE_MISSING) throw e;
        // Never in a request: the version takes no traffic until its calibration exists and it is ready.
        await setState(h, 'calibrating');
        await calibrateInBackground(h.dir, calibrationDir, logger);
        engine = await load();
      }
    } catch (e) {
      await setState(h, 'failed', e instanceof Error ? e.message : String(e));
      return;
    }
    if (closing) return engine.dispose();
    h.engine = { ...engine, card: { ...engine.card, version: h.version } };
    h.running = await startWorker(config, h.engine, logger, notify, {
      queueName: modelQueueName(config.QUEUE_NAME, h.name, h.version),
      http: false,
    });
    await setState(h, 'ready');
  };

  const unhost = async (key: string, h: Hosted) => {
    hosted.delete(key);
    await h.running?.close();
    h.engine?.dispose();
    await redis.hdel(statesKey, key).catch(() => undefined);
    logger.info({ model: h.name, version: h.version }, 'model version unloaded (version policy)');
  };

  let chain: Promise<void> = Promise.resolve();
  const scan = async () => {
    let listing: RepositoryListing;
    try {
      listing = readRepository(location, resolveAssetsDir());
    } catch (e) {
      logger.warn({ err: (e as Error).message }, 'model repository unreadable');
      return;
    }
    const wanted = new Set<string>();
    const first = seen.size === 0;
    for (const m of listing.models.filter((x) => only.length === 0 || only.includes(x.name))) {
      const versions = applyVersionPolicy(
        m.versions.map((v) => v.version),
        policy,
      );
      for (const v of m.versions.filter((x) => versions.includes(x.version))) {
        const key = `${m.name}@${v.version}`;
        wanted.add(key);
        if (hosted.has(key)) continue;
        // A folder still being copied in is read once two scans see the same files.
        const prev = seen.get(key);
        seen.set(key, v.signature);
        if (!first && prev !== v.signature) continue;
        const h: Hosted = {
          name: m.name,
          version: v.version,
          dir: v.dir,
          signature: v.signature,
          status: { state: 'loading', updatedAt: Date.now() },
        };
        hosted.set(key, h);
        // Versions load one after another (each load and calibration takes a core), in the background.
        chain = chain.then(() => (closing ? undefined : host(h)));
      }
    }
    for (const [key, h] of [...hosted]) if (!wanted.has(key)) await unhost(key, h);
  };

  await scan();
  await chain;
  const timer = setInterval(() => void scan().catch(() => undefined), config.MODEL_POLL_MS);
  timer.unref();

  const metrics = createWorkerMetrics();
  const { server, port } = await startWorkerHttp(config.WORKER_HTTP_PORT, config.HOST, metrics.registry, () => {
    const versions = Object.fromEntries(
      [...hosted].map(([k, h]) => [k, { ...h.status, ...(h.running?.health() ?? {}) }]),
    );
    const broken = [...hosted.values()].some((h) => h.running && !h.running.health().ok);
    return { ok: !broken, repository: location, versions };
  });

  return {
    httpPort: port,
    hosted: () => Object.fromEntries([...hosted].map(([k, h]) => [k, h.status])),
    async close() {
      closing = true;
      clearInterval(timer);
      await Promise.all([...hosted.values()].map((h) => h.running?.close()));
      for (const h of hosted.values()) h.engine?.dispose();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      redis.disconnect();
    },
  };
}
