/**
 * Where training data comes from, and the test set the host keeps for the Predictions and Evaluation views.
 * Order: the `nnLens.dataFolder` setting; the full MNIST download (global storage); the embedded subset in media/mnist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataSource } from '../protocol';
import type { ModelSpec } from '../model/spec';
import { FASHION_MNIST_CLASSES, IDX_FILES, MNIST_CLASSES, loadDatasetFolder, loadEmbedded, type ImageDataset } from '../data/dataset';

export interface DataPlaces {
  /** The `nnLens.dataFolder` setting ('' when unset). */
  folder: string;
  /** Where Download Full MNIST puts the files. */
  downloadDir: string;
  /** media/mnist of the extension. */
  embeddedDir: string;
}

function hasIdx(dir: string): boolean {
  return Object.values(IDX_FILES).every((b) => fs.existsSync(path.join(dir, b)) || fs.existsSync(path.join(dir, `${b}.gz`)));
}

/** The data source for training `spec`, or an Error saying what to do. */
export function dataSourceFor(spec: ModelSpec, places: DataPlaces): DataSource {
  if (places.folder) {
    if (!fs.existsSync(places.folder) || !fs.statSync(places.folder).isDirectory()) {
      throw new Error(`nnLens.dataFolder is "${places.folder}", which is not a folder. Run "NN Lens: Use Dataset Folder..." to choose one.`);
    }
    return { kind: 'folder', dir: places.folder };
  }
  if (spec.input.dataset === 'fashion-mnist') {
    throw new Error('This model trains on Fashion-MNIST: run "NN Lens: Use Dataset Folder..." and choose a folder with its four IDX files (Debian: /usr/share/datasets/fashion-mnist).');
  }
  if (hasIdx(places.downloadDir)) return { kind: 'folder', dir: places.downloadDir };
  return { kind: 'embedded', mediaDir: places.embeddedDir };
}

export function describeSource(src: DataSource): string {
  return src.kind === 'embedded' ? 'the embedded MNIST subset (8,000 train / 2,000 test)' : src.dir;
}

const cache = new Map<string, ImageDataset>();

/** The test set of a source (read once, then kept). */
export function testSet(src: DataSource, spec: ModelSpec): ImageDataset {
  const key = src.kind === 'embedded' ? `embedded:${src.mediaDir}` : `folder:${src.dir}`;
  let ds = cache.get(key);
  if (!ds) {
    const names = spec.input.dataset === 'fashion-mnist' ? FASHION_MNIST_CLASSES : MNIST_CLASSES;
    ds = (src.kind === 'embedded' ? loadEmbedded(src.mediaDir) : loadDatasetFolder(src.dir, names)).test;
    cache.set(key, ds);
  }
  return ds;
}
