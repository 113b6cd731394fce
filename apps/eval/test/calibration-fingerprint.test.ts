import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@mserve/common';
import { preprocessingFingerprint } from '@mserve/preprocess';
import { parseCalibration } from '@mserve/uncertainty';

const dir = path.join(repoRoot(), 'calibration');
const artifacts = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('committed calibration artifacts', () => {
  it('exist', () => {
    expect(artifacts.length).toBeGreaterThan(0);
  });

  it.each(artifacts)('%s was fitted with the preprocessing of this code (else: pnpm calibrate)', async (file) => {
    const artifact = parseCalibration(readFileSync(path.join(dir, file), 'utf8'));
    const today = await preprocessingFingerprint(artifact.model.inputShape);
    expect({ file, fingerprint: artifact.preprocessing?.fingerprint }).toEqual({ file, fingerprint: today });
  });
});
