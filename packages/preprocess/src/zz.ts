import { readFileSync } from 'node:fs';
import { decodeUpload } from './decode';
import { edgeDensity, lumaEntropy } from './facts';
import { flatten, separateInk } from './ink';
import { mnistPlane } from './mnist';
import { preprocess } from './preprocess';
import { DEFAULT_LIMITS } from './types';
(async () => {
  for (const f of ['grayscale_999_893.png', 'colour_500_332.jpg', '3.png']) {
    const buf = readFileSync(`/work/shared/data/images/${f}`);
    for (let k = 0; k < 3; k++) {
      const t: number[] = [performance.now()];
      const d = await decodeUpload(buf, DEFAULT_LIMITS);
      t.push(performance.now());
      const fl = flatten(d.rgba);
      t.push(performance.now());
      const ink = separateInk(fl.luma);
      t.push(performance.now());
      if (ink.box) mnistPlane(ink.ink, ink.box);
      t.push(performance.now());
      edgeDensity(fl.luma);
      lumaEntropy(fl.luma);
      t.push(performance.now());
      await preprocess(buf, { inputShape: [28, 28] });
      t.push(performance.now());
      process.stdout.write(
        `${f} ${t
          .slice(1)
          .map((x, i) => (x - t[i]!).toFixed(1))
          .join(' ')}\n`,
      );
    }
  }
})();
