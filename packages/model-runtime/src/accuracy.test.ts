import path from 'node:path';
import { resolveAssetsDir } from '@mserve/common';
import { loadMnistTest, toModelInput, type ImageSet } from '@mserve/datasets';
import { loadSavedModel, type LoadedModel } from './index';

const models = path.join(resolveAssetsDir(), 'models');

async function accuracy(model: LoadedModel, set: ImageSet, count = set.n): Promise<number> {
  const batch = 256;
  let correct = 0;
  for (let s = 0; s < count; s += batch) {
    const idx = Array.from({ length: Math.min(batch, count - s) }, (_, k) => s + k);
    const out = await model.predict(toModelInput(set.images, idx, model.metadata.inputShape), idx.length);
    for (let j = 0; j < idx.length; j++) {
      const row = out.probabilities.subarray(j * out.classes, (j + 1) * out.classes);
      if (row.indexOf(Math.max(...row)) === set.labels[idx[j]!]) correct++;
    }
  }
  return correct / count;
}

let mnist: ImageSet;
beforeAll(async () => {
  mnist = await loadMnistTest();
});

describe('accuracy on the 10,000 MNIST test images (input pixel/255)', () => {
  it.each([
    ['mnist_model', 0.926],
    ['mnist_dropout', 0.9241],
    ['mnist_cnn', 0.9818],
  ])('%s matches the reference accuracy %f within 0.0003', async (name, expected) => {
    const model = await loadSavedModel(path.join(models, name));
    try {
      expect(Math.abs((await accuracy(model, mnist)) - expected)).toBeLessThanOrEqual(0.0003);
    } finally {
      model.dispose();
    }
  });
});
