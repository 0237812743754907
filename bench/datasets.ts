// The datasets the benchmarks train on: 60,000 real MNIST digits (the 10,000 embedded digits, cycled six
// times) and, when Debian's dataset-fashion-mnist is installed, the full 60,000-image Fashion-MNIST train set.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { loadEmbedded, loadDatasetFolder, FASHION_MNIST_CLASSES, type ImageDataset } from '../src/data/dataset';

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

export function mnist60k(): ImageDataset {
  const { train, test } = loadEmbedded(path.join(__dirname, '..', 'media', 'mnist'));
  const px = train.rows * train.cols;
  const all = train.count + test.count;
  const count = 60000;
  const images = new Uint8Array(count * px);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % all;
    const src = k < train.count ? train : test;
    const j = k < train.count ? k : k - train.count;
    images.set(src.images.subarray(j * px, (j + 1) * px), i * px);
    labels[i] = src.labels[j];
  }
  return { name: 'mnist-60k', count, rows: train.rows, cols: train.cols, images, labels, classNames: train.classNames };
}

export function fashion60k(): ImageDataset | null {
  if (!fs.existsSync(FASHION_DIR)) return null;
  return loadDatasetFolder(FASHION_DIR, FASHION_MNIST_CLASSES).train;
}

/** Fraction of non-zero pixels. */
export function density(ds: ImageDataset): number {
  let nz = 0;
  for (let i = 0; i < ds.images.length; i++) if (ds.images[i] !== 0) nz++;
  return nz / ds.images.length;
}
