/** Resolves a protocol DataSource (embedded subset or a folder) to datasets with the right class names. */
import type { DataSource } from '../protocol';
import type { ModelSpec } from '../model/spec';
import { FASHION_MNIST_CLASSES, MNIST_CLASSES, loadDatasetFolder, loadEmbedded, type DatasetPair } from '../data/dataset';

export function classNamesFor(dataset: ModelSpec['input']['dataset']): string[] {
  return dataset === 'fashion-mnist' ? FASHION_MNIST_CLASSES : MNIST_CLASSES;
}

export function loadDataSource(src: DataSource, spec: ModelSpec): DatasetPair {
  switch (src.kind) {
    case 'embedded':
      return loadEmbedded(src.mediaDir);
    case 'folder':
      // A classes.txt in the folder wins; else the names of the dataset the model file declares.
      return loadDatasetFolder(src.dir, spec.input.dataset === 'fashion-mnist' || !/fashion/i.test(src.dir) ? classNamesFor(spec.input.dataset) : undefined);
  }
}
