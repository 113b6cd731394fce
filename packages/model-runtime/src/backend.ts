/**
 * Chooses the tfjs backend once per process: `tfjs-node` (native TensorFlow) when the package resolves at run
 * time, else the WebAssembly backend, else the pure-JS cpu backend. `TF_BACKEND` or an explicit argument overrides
 * the order; a preferred backend that cannot start falls through to the next one with a warning.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createLogger, type Logger } from '@mserve/common';

/** Backends in preference order. */
export const BACKENDS = ['tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

let active: BackendName | undefined;

// A variable module name keeps bundlers and tsc from insisting that optional packages exist.
function optionalRequire(name: string, paths?: string[]): unknown {
  const resolved = require.resolve(name, paths ? { paths } : undefined);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional packages must load lazily
  return require(resolved) as unknown;
}

async function tryBackend(name: BackendName): Promise<boolean> {
  if (name === 'tfjs-node') {
    optionalRequire('@tensorflow/tfjs-node');
    return tf.setBackend('tensorflow');
  }
  if (name === 'wasm') {
    const wasm = optionalRequire('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    // In Node the .wasm binaries must be read from the package's dist folder, not fetched from a URL.
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(dist + path.sep);
    return tf.setBackend('wasm');
  }
  if (tf.findBackendFactory('cpu') === null) {
    // tfjs-backend-cpu is not a direct dependency; it ships inside @tensorflow/tfjs against the same tfjs-core.
    optionalRequire('@tensorflow/tfjs-backend-cpu', [path.dirname(require.resolve('@tensorflow/tfjs/package.json'))]);
  }
  return tf.setBackend('cpu');
}

function isBackendName(v: string | undefined): v is BackendName {
  return v !== undefined && (BACKENDS as readonly string[]).includes(v);
}

/**
 * Initialises and returns the tfjs backend. `preferred` (else env `TF_BACKEND`) is tried first, then the default
 * order. Idempotent: later calls return the active backend unless a different one is asked for explicitly.
 */
export async function initBackend(preferred?: string, logger?: Logger): Promise<string> {
  const want = preferred ?? process.env['TF_BACKEND'];
  if (active && (!want || want === active)) return active;
  const log = logger ?? createLogger('model-runtime');
  if (want && !isBackendName(want))
    log.warn({ requested: want, known: BACKENDS }, 'unknown TF_BACKEND, using default order');
  const order: BackendName[] = isBackendName(want) ? [want, ...BACKENDS.filter((b) => b !== want)] : [...BACKENDS];
  for (const name of order) {
    try {
      if (await tryBackend(name)) {
        await tf.ready();
        active = name;
        log.info({ backend: name, requested: want ?? null }, 'tfjs backend ready');
        return name;
      }
    } catch (e) {
      const level = name === want ? 'warn' : 'debug';
      log[level]({ backend: name, err: (e as Error).message }, 'tfjs backend unavailable, trying the next');
    }
  }
  throw new Error(`no tfjs backend could be initialised (tried ${order.join(', ')})`);
}
