/**
 * Image-classification datasets in the MNIST layout: the four standard IDX files of a folder (gzipped or not),
 * or the embedded 8,000 / 2,000 subset shipped under media/mnist/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dimsText, readIdxFile } from './idx';

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The standard file names (without `.gz`), as torchvision and the original MNIST site name them. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export interface ImageDataset {
  /** e.g. "train" or "test", for messages. */
  name: string;
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols grey levels, row-major. */
  images: Uint8Array;
  labels: Uint8Array;
  classNames: string[];
}

export interface DatasetPair {
  train: ImageDataset;
  test: ImageDataset;
  /** Where the data came from, for messages ("embedded MNIST subset", a folder path). */
  source: string;
}

/** Reads one images file and one labels file and checks that they agree. */
export function loadIdxPair(imagesFile: string, labelsFile: string, name: string, classNames: string[]): ImageDataset {
  const im = readIdxFile(imagesFile);
  const lb = readIdxFile(labelsFile);
  if (im.dims.length !== 3) throw new Error(`${imagesFile}: expected 3 dimensions (count × rows × cols), found ${im.dims.length} (${dimsText(im.dims)})`);
  if (lb.dims.length !== 1) throw new Error(`${labelsFile}: expected 1 dimension (count), found ${lb.dims.length} (${dimsText(lb.dims)})`);
  const [count, rows, cols] = im.dims;
  if (lb.dims[0] !== count) throw new Error(`${labelsFile}: holds ${lb.dims[0]} labels but ${imagesFile} holds ${count} images`);
  const labels = lb.data;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classNames.length) throw new Error(`${labelsFile}: label ${labels[i]} at index ${i} is outside the ${classNames.length} classes`);
  }
  return { name, count, rows, cols, images: im.data, labels, classNames };
}

/** `dir/base` or `dir/base.gz`, whichever exists. */
export function findIdxFile(dir: string, base: string): string {
  for (const f of [base, `${base}.gz`]) {
    const p = path.join(dir, f);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${dir}: missing ${base} (or ${base}.gz): a dataset folder holds the four standard MNIST-format IDX files`);
}

/**
 * Class names for a folder: a `classes.txt` beside the files (one name a line) wins; then the given default;
 * then Fashion-MNIST's names when the folder's path says "fashion"; else the digits.
 */
export function folderClassNames(dir: string, fallback?: string[]): string[] {
  const txt = path.join(dir, 'classes.txt');
  if (fs.existsSync(txt)) {
    const names = fs.readFileSync(txt, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
    if (names.length < 2) throw new Error(`${txt}: expected one class name a line, found ${names.length}`);
    return names;
  }
  if (fallback) return fallback;
  return /fashion/i.test(path.resolve(dir)) ? FASHION_MNIST_CLASSES : MNIST_CLASSES;
}

/** A folder with the four standard IDX files (Fashion-MNIST, full MNIST, the download cache, ...). */
export function loadDatasetFolder(dir: string, classNames?: string[]): DatasetPair {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: dataset folder not found`);
  const names = folderClassNames(dir, classNames);
  const train = loadIdxPair(findIdxFile(dir, IDX_FILES.trainImages), findIdxFile(dir, IDX_FILES.trainLabels), 'train', names);
  const test = loadIdxPair(findIdxFile(dir, IDX_FILES.testImages), findIdxFile(dir, IDX_FILES.testLabels), 'test', names);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new Error(`${dir}: training images are ${train.rows}×${train.cols} but test images are ${test.rows}×${test.cols}`);
  }
  return { train, test, source: dir };
}

/** The embedded MNIST subset (8,000 train / 2,000 test) from `media/mnist/`. */
export function loadEmbedded(mediaDir: string): DatasetPair {
  const pair = loadDatasetFolder(mediaDir, MNIST_CLASSES);
  return { ...pair, source: 'the embedded MNIST subset' };
}

/** Finds `media/mnist` walking up from `from` (dist/ when bundled, src/… when run from source). */
export function findEmbeddedDir(from: string): string {
  let dir = path.resolve(from);
  for (let i = 0; i < 6; i++) {
    const p = path.join(dir, 'media', 'mnist');
    if (fs.existsSync(path.join(p, `${IDX_FILES.trainImages}.gz`))) return p;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`the embedded MNIST data (media/mnist/) was not found above ${from}`);
}
