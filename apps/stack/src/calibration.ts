import { spawn } from 'node:child_process';
import path from 'node:path';
import { AppError } from '@mserve/common';
import { modelDigest } from '@mserve/model-runtime';
import { loadCalibration } from '@mserve/uncertainty';

/**
 * Why the worker could not serve `modelDir` with the artifacts in `calibrationDir` (missing, or fitted for another
 * version of the model), or null when it can. Uses the same loader as the worker, so both always agree.
 */
export async function calibrationProblem(modelDir: string, calibrationDir: string): Promise<string | null> {
  const digest = await modelDigest(modelDir);
  try {
    loadCalibration(calibrationDir, { digest, name: path.basename(modelDir) });
    return null;
  } catch (e) {
    if (e instanceof AppError && (e.code === 'NOT_FOUND' || e.code === 'CALIBRATION_MISMATCH')) return e.message;
    throw e;
  }
}

/** Runs `pnpm calibrate -- --model <dir> --out <dir>` with its output shown; resolves on success. */
export function runCalibrate(root: string, modelDir: string, calibrationDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('pnpm', ['calibrate', '--', '--model', modelDir, '--out', calibrationDir], {
      cwd: root,
      stdio: 'inherit',
    });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pnpm calibrate exited with ${code}`))));
  });
}
