import { readFileSync } from 'node:fs';
import { assetPath } from '@mserve/common';
import { preprocess } from './preprocess';
void (async () => {
  const buf = readFileSync(assetPath(`data/images/${process.env.F ?? 'grayscale_999_893.png'}`));
  for (let k = 0; k < 60; k++) await preprocess(buf, { inputShape: [28, 28] });
})();
