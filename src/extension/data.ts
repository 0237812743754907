/**
 * Where training data comes from, and the test set the host keeps for the Predictions and Evaluation views.
 * Order: the `nnLens.dataFolder` setting; the full MNIST download (global storage); the embedded subset in media/mnist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import type { DataSource } from '../protocol';
import type { ModelSpec } from '../model/spec';
import { FASHION_MNIST_CLASSES, IDX_FILES, MNIST_CLASSES, findIdxFile, folderClassNames, type ImageDataset } from '../data/dataset';
import { isGzip, MAX_IDX_BYTES, parseIdx } from '../data/idx';

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

const gunzipAsync = promisify(zlib.gunzip);

/** Reads an IDX file without blocking the extension host (the gunzip runs on libuv's thread pool). */
async function readIdxAsync(file: string): Promise<ReturnType<typeof parseIdx>> {
  let buf: Uint8Array = await fs.promises.readFile(file);
  if (isGzip(buf)) {
    try {
      buf = await gunzipAsync(buf, { maxOutputLength: MAX_IDX_BYTES });
    } catch (e) {
      throw new Error(`${file}: corrupt or truncated gzip data (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return parseIdx(buf, file);
}

const cache = new Map<string, Promise<ImageDataset>>();

/** The test set of a source, read once (asynchronously: the host never blocks on it), then kept. */
export function testSet(src: DataSource, spec: ModelSpec): Promise<ImageDataset> {
  const dir = src.kind === 'embedded' ? src.mediaDir : src.dir;
  const key = `${src.kind}:${dir}`;
  let ds = cache.get(key);
  if (!ds) {
    const fallback = spec.input.dataset === 'fashion-mnist' ? FASHION_MNIST_CLASSES : MNIST_CLASSES;
    ds = (async () => {
      const classNames = src.kind === 'embedded' ? MNIST_CLASSES : folderClassNames(dir, fallback);
      const imagesFile = findIdxFile(dir, IDX_FILES.testImages);
      const labelsFile = findIdxFile(dir, IDX_FILES.testLabels);
      const [im, lb] = await Promise.all([readIdxAsync(imagesFile), readIdxAsync(labelsFile)]);
      if (im.dims.length !== 3) throw new Error(`${imagesFile}: expected 3 dimensions (count × rows × cols), found ${im.dims.length}`);
      if (lb.dims.length !== 1 || lb.dims[0] !== im.dims[0]) throw new Error(`${labelsFile}: holds ${lb.dims[0]} labels but ${imagesFile} holds ${im.dims[0]} images`);
      for (let i = 0; i < lb.data.length; i++) {
        if (lb.data[i] >= classNames.length) throw new Error(`${labelsFile}: label ${lb.data[i]} at index ${i} is outside the ${classNames.length} classes`);
      }
      return { name: 'test', count: im.dims[0], rows: im.dims[1], cols: im.dims[2], images: im.data, labels: lb.data, classNames };
    })();
    ds.catch(() => cache.delete(key));
    cache.set(key, ds);
  }
  return ds;
}
