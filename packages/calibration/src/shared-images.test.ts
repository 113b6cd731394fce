import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assetPath } from '@mserve/common';
import { preprocess } from '@mserve/preprocess';
import { UncertaintyEngine } from '@mserve/uncertainty';
import { defaultCalibrationDir, loadModel } from './sources';
import { loadCalibration } from './store';

// The flower photos and the large grey drawing of the shared images are no digits: whatever the calibration was
// fitted on, the committed artifact must not vouch for an answer on them.
const dir = assetPath('data/images');
const nonDigits = readdirSync(dir)
  .filter((f) => f.startsWith('colour_') || f === 'grayscale_999_893.png')
  .sort();

describe('the committed calibration on the shared non-digit images', () => {
  it('covers the three flower photos and the drawing', () => {
    expect(nonDigits).toEqual(expect.arrayContaining(['colour_500_332.jpg', 'grayscale_999_893.png']));
    expect(nonDigits.length).toBeGreaterThanOrEqual(4);
  });

  it('calls none of them reliable', async () => {
    const model = await loadModel('mnist_model');
    try {
      const artifact = loadCalibration(defaultCalibrationDir(), model.metadata);
      const engine = UncertaintyEngine.create(artifact, model);
      const prepared = await Promise.all(
        nonDigits.map((f) => preprocess(readFileSync(path.join(dir, f)), { inputShape: model.metadata.inputShape })),
      );
      const inputs = new Float32Array(prepared.length * 784);
      prepared.forEach((p, i) => inputs.set(p.tensor, i * 784));
      const out = await model.predict(inputs, prepared.length);
      const res = engine.assess(
        out,
        inputs,
        prepared.map((p) => p.facts),
        { samples: 1, alpha: 0.05 },
      );
      const verdicts = res.map((a, i) => `${nonDigits[i]}: ${a.uncertainty.reliable ? 'reliable' : 'not reliable'}`);
      expect(verdicts).toEqual(nonDigits.map((f) => `${f}: not reliable`));
    } finally {
      model.dispose();
    }
  }, 60000);
});
