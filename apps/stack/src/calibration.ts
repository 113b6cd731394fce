import { spawn } from 'node:child_process';
import { checkCalibration } from '@mserve/calibration';

/**
 * Why the worker could not serve `modelDir` with the artifacts in `calibrationDir` (missing, or fitted for another
 * version of the model), or null when it can. `checkCalibration` runs the worker's own loader, so both agree.
 */
export async function calibrationProblem(modelDir: string, calibrationDir: string): Promise<string | null> {
  const status = await checkCalibration(modelDir, calibrationDir);
  return status.ok ? null : status.message;
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
