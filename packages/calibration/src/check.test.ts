import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkCalibration, ensureCalibration } from './check';
import { defaultCalibrationDir, resolveModelDir } from './sources';

const modelDir = resolveModelDir('mnist_model');

describe('checkCalibration', () => {
  it('accepts the committed artifact of mnist_model', async () => {
    const status = await checkCalibration(modelDir, defaultCalibrationDir());
    expect(status).toMatchObject({ ok: true });
  });

  it('reports a missing artifact by code, with the file it looked for', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'calib-'));
    const status = await checkCalibration(modelDir, dir);
    expect(status).toMatchObject({ ok: false, code: 'CALIBRATION_MISSING' });
    expect(status.file.startsWith(dir)).toBe(true);
  });

  it('throws what is no calibration problem, such as a model folder that does not exist', async () => {
    await expect(checkCalibration(path.join(os.tmpdir(), 'no-such-model'), defaultCalibrationDir())).rejects.toThrow(
      /ENOENT/,
    );
  });
});

describe('ensureCalibration', () => {
  it('fits nothing when a usable artifact is present', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'calib-'));
    const src = defaultCalibrationDir();
    for (const f of readdirSync(src).filter((f) => f.endsWith('.json')))
      copyFileSync(path.join(src, f), path.join(dir, f));
    const lines: string[] = [];
    const res = await ensureCalibration({ modelDir, calibrationDir: dir, log: (m) => lines.push(m) });
    expect(res.fitted).toBe(false);
    expect(lines.join('\n')).toMatch(/already present .*nothing to do/);
  });
});
