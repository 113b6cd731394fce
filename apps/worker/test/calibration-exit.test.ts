import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REDIS_URL, WORKER_MAIN, spawnTs, uniqueQueue } from '@mserve/testkit';

describe('worker start-up without a usable calibration', () => {
  it('exits with status 78 and one line naming the calibrate command when the artifact is missing', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'calib-none-'));
    const proc = spawnTs(WORKER_MAIN, {
      REDIS_URL,
      QUEUE_NAME: uniqueQueue('calib-exit'),
      CALIBRATION_DIR: empty,
      LOG_LEVEL: 'warn',
    });
    const kill = setTimeout(() => void proc.stop('SIGKILL'), 60_000);
    const code = await proc.exited;
    clearTimeout(kill);
    expect(code).toBe(78);
    expect(proc.output()).toMatch(
      /worker: no calibration for model mnist_model .*pnpm calibrate -- --model mnist_model/,
    );
  }, 70_000);
});
