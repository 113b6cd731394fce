import path from 'node:path';
import { AppError, resolveAssetsDir } from '@mserve/common';
import { readIdx } from './idx';

/** A labelled set of greyscale images, one byte (0..255) per pixel, row-major, `n*rows*cols` bytes. */
export interface ImageSet {
  n: number;
  rows: number;
  cols: number;
  images: Uint8Array;
  labels: Uint8Array;
}

async function loadPair(dir: string, images: string, labels: string): Promise<ImageSet> {
  const [img, lab] = await Promise.all([readIdx(path.join(dir, images)), readIdx(path.join(dir, labels))]);
  const [n, rows, cols] = img.dims;
  if (img.dims.length !== 3 || lab.dims.length !== 1 || n === undefined || n !== lab.dims[0] || !rows || !cols) {
    throw new AppError('ASSETS_MISSING', `${dir}: images [${img.dims}] and labels [${lab.dims}] do not match`);
  }
  return { n, rows, cols, images: img.data, labels: lab.data };
}

/** The official MNIST test set (10,000 digits) from `<assets>/data/mnist`. */
export function loadMnistTest(assetsDir: string = resolveAssetsDir()): Promise<ImageSet> {
  return loadPair(path.join(assetsDir, 'data', 'mnist'), 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz');
}

/** The Fashion-MNIST test set (10,000 images) from `<assets>/data/fashion-mnist`. */
export function loadFashionMnistTest(assetsDir: string = resolveAssetsDir()): Promise<ImageSet> {
  return loadPair(
    path.join(assetsDir, 'data', 'fashion-mnist'),
    't10k-images-idx3-ubyte.gz',
    't10k-labels-idx1-ubyte.gz',
  );
}
