import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { resolveAssetsDir, createLogger } from '@mserve/common';
import { initBackend } from './backend';
import { loadSavedModel } from './loader';

const productionDir = path.join(resolveAssetsDir(), 'models', 'mnist_model');

describe('initBackend', () => {
  const saved = process.env['TF_BACKEND'];
  afterEach(() => {
    if (saved === undefined) delete process.env['TF_BACKEND'];
    else process.env['TF_BACKEND'] = saved;
  });

  it('falls back from an unavailable tfjs-node to the next backend instead of failing', async () => {
    let nodeAvailable = true;
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      nodeAvailable = false;
    }
    const got = await initBackend('tfjs-node', createLogger('test', 'silent'));
    expect(got).toBe(nodeAvailable ? 'tfjs-node' : 'wasm');
  });

  it('honours TF_BACKEND and computes the same probabilities on cpu as on wasm', async () => {
    await initBackend('wasm', createLogger('test', 'silent'));
    const wasmModel = await loadSavedModel(productionDir, { logger: createLogger('test', 'silent') });
    const input = new Float32Array(3 * 784).map((_, i) => ((i * 37) % 256) / 255);
    const onWasm = await wasmModel.predict(input, 3);
    wasmModel.dispose();

    process.env['TF_BACKEND'] = 'cpu';
    const cpuModel = await loadSavedModel(productionDir, { logger: createLogger('test', 'silent') });
    expect(cpuModel.metadata.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const onCpu = await cpuModel.predict(input, 3);
    cpuModel.dispose();
    onCpu.probabilities.forEach((p, i) => expect(Math.abs(p - onWasm.probabilities[i]!)).toBeLessThan(1e-5));
  });
});
