import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '@mserve/common';
import { parseCalibration, serializeCalibration, type CalibrationArtifact } from '@mserve/uncertainty';
import { defaultCalibrationDir } from './sources';
import { calibrationPath, isCalibrationError, loadCalibration, saveCalibration } from './store';

// The committed artifact of mnist_model is the fixture: a real file of the current format (calibration/ holds
// one artifact per model of the repository).
const committedDir = defaultCalibrationDir();
const committed = readdirSync(committedDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => parseCalibration(readFileSync(path.join(committedDir, f), 'utf8')))
  .find((a) => a.model.name === 'mnist_model')!;
const committedFile = calibrationPath(committedDir, committed.model.digest);
const model = { digest: committed.model.digest, name: committed.model.name };

function tmpDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'calib-'));
}

/** `code: message` of what loading throws, or `loaded`. */
function outcome(dir: string, m = model, fingerprint?: string): string {
  try {
    loadCalibration(dir, m, fingerprint === undefined ? {} : { preprocessingFingerprint: fingerprint });
    return 'loaded';
  } catch (e) {
    return e instanceof AppError ? `${e.code}: ${e.message}` : `thrown: ${String(e)}`;
  }
}

function withArtifact(edit: (a: CalibrationArtifact) => void, digest = model.digest): string {
  const dir = tmpDir();
  const a = parseCalibration(serializeCalibration(committed));
  edit(a);
  writeFileSync(calibrationPath(dir, digest), serializeCalibration(a));
  return dir;
}

describe('calibration store', () => {
  it('names the file after the digest and round-trips an artifact through it', () => {
    const dir = tmpDir();
    const file = saveCalibration(dir, committed);
    expect(path.basename(file)).toBe(`${model.digest.replace(':', '-')}.json`);
    expect(serializeCalibration(loadCalibration(dir, model))).toBe(serializeCalibration(committed));
  });

  it('reports CALIBRATION_MISSING, naming the calibrate command, when the folder has no artifact of the model', () => {
    expect(outcome(tmpDir())).toMatch(
      /^CALIBRATION_MISSING: no calibration for model mnist_model .*pnpm calibrate -- --model mnist_model/,
    );
    expect(outcome(path.join(tmpDir(), 'absent'))).toMatch(/^CALIBRATION_MISSING: /);
  });

  it('reports CALIBRATION_MISMATCH when only other versions of the model were calibrated', () => {
    const dir = tmpDir();
    copyFileSync(committedFile, path.join(dir, path.basename(committedFile)));
    expect(outcome(dir, { ...model, digest: 'sha256:newer' })).toMatch(
      /^CALIBRATION_MISMATCH: calibration for model mnist_model was fitted for another version of it/,
    );
  });

  it('reports CALIBRATION_MISMATCH for a file naming another digest, format version or feature set, or unreadable', () => {
    expect(outcome(withArtifact((a) => (a.model.digest = 'sha256:forged')))).toMatch(
      /^CALIBRATION_MISMATCH: .*fitted for model digest sha256:forged/,
    );
    expect(outcome(withArtifact((a) => (a.version = 1)))).toMatch(
      /^CALIBRATION_MISMATCH: .*has format mserve-calibration v1/,
    );
    expect(outcome(withArtifact((a) => a.reliability.digit.features.pop()))).toMatch(
      /^CALIBRATION_MISMATCH: .*other reliability features/,
    );
    const dir = tmpDir();
    writeFileSync(calibrationPath(dir, model.digest), '{"format":');
    expect(outcome(dir)).toMatch(/^CALIBRATION_MISMATCH: .*is unreadable/);
  });

  it('checks the preprocessing fingerprint only when asked for one', () => {
    const dir = withArtifact((a) => (a.preprocessing = { fingerprint: 'sha256:then' }));
    expect(outcome(dir)).toBe('loaded');
    expect(outcome(dir, model, 'sha256:then')).toBe('loaded');
    expect(outcome(dir, model, 'sha256:now')).toMatch(
      /^CALIBRATION_MISMATCH: .*other preprocessing \(fingerprint sha256:then, this code sha256:now\)/,
    );
    expect(
      outcome(
        withArtifact((a) => delete a.preprocessing),
        model,
        'sha256:now',
      ),
    ).toMatch(/fingerprint none/);
  });

  it('tells calibration errors from other failures by code', () => {
    expect(isCalibrationError(new AppError('CALIBRATION_MISSING', 'x'))).toBe(true);
    expect(isCalibrationError(new AppError('CALIBRATION_MISMATCH', 'x'))).toBe(true);
    expect(isCalibrationError(new AppError('MODEL_LOAD_FAILED', 'pnpm calibrate'))).toBe(false);
    expect(isCalibrationError(new Error('CALIBRATION_MISSING'))).toBe(false);
  });
});
