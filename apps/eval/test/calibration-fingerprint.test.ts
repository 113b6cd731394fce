import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { defaultCalibrationDir, loadCalibration } from '@mserve/calibration';
import { preprocessingFingerprint } from '@mserve/preprocess';

const dir = defaultCalibrationDir();
const artifacts = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('committed calibration artifacts', () => {
  it('exist', () => {
    expect(artifacts.length).toBeGreaterThan(0);
  });

  it.each(artifacts)('%s was fitted with the preprocessing of this code (else: pnpm calibrate)', async (file) => {
    const { model } = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      model: { name: string; digest: string; inputShape: number[] };
    };
    const today = await preprocessingFingerprint(model.inputShape);
    expect(() => loadCalibration(dir, model, { preprocessingFingerprint: today })).not.toThrow();
  });
});
