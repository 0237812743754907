// The data the epoch benchmark trains on, the same in every implementation (bench/epoch/common.py reads it the same
// way): Fashion-MNIST from /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist) when present, 60,000
// training and 10,000 test images; else the embedded MNIST subset of media/mnist, its 8,000 training digits cycled
// to 60,000 and its 2,000 test digits for the accuracy.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { loadEmbedded, loadDatasetFolder, FASHION_MNIST_CLASSES, IDX_FILES, type DatasetPair, type ImageDataset } from '../src/data/dataset';

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
export const TRAIN_COUNT = 60000;

export interface BenchData extends DatasetPair {
  /** 'fashion-mnist' or 'embedded-mnist'. */
  source: string;
}

function fashionPresent(): boolean {
  return Object.values(IDX_FILES).every((f) => fs.existsSync(path.join(FASHION_DIR, f)) || fs.existsSync(path.join(FASHION_DIR, `${f}.gz`)));
}

/** `ds` cycled to `count` images. */
export function cycled(ds: ImageDataset, count: number): ImageDataset {
  if (ds.count >= count) return ds;
  const px = ds.rows * ds.cols;
  const images = new Uint8Array(count * px);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const j = i % ds.count;
    images.set(ds.images.subarray(j * px, (j + 1) * px), i * px);
    labels[i] = ds.labels[j];
  }
  return { ...ds, name: `${ds.name} ×${(count / ds.count).toFixed(1)}`, count, images, labels };
}

export function benchData(): BenchData {
  if (fashionPresent()) return { ...loadDatasetFolder(FASHION_DIR, FASHION_MNIST_CLASSES), source: 'fashion-mnist' };
  const { train, test } = loadEmbedded(path.join(__dirname, '..', 'media', 'mnist'));
  return { train: cycled(train, TRAIN_COUNT), test, source: 'embedded-mnist' };
}

/** What the table says about the data. */
export function describeData(source: string, train: number, test: number): string {
  return source === 'fashion-mnist'
    ? `Fashion-MNIST (${FASHION_DIR}): ${train.toLocaleString('en-US')} training images, ${test.toLocaleString('en-US')} test images`
    : `the embedded MNIST subset (${FASHION_DIR} is not installed: apt-get install dataset-fashion-mnist): 8,000 training digits cycled to ${train.toLocaleString('en-US')}, ${test.toLocaleString('en-US')} test digits`;
}

/** Fraction of non-zero pixels. */
export function density(ds: ImageDataset): number {
  let nz = 0;
  for (let i = 0; i < ds.images.length; i++) if (ds.images[i] !== 0) nz++;
  return nz / ds.images.length;
}
