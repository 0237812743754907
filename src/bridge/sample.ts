/** One test image to embed in an exported module: from a dataset folder, or the embedded MNIST subset. */
import { findIdxFile, IDX_FILES } from '../data/dataset';
import { readIdxFile } from '../data/idx';
import type { ModelSpec } from '../model/spec';
import type { SampleImage } from './python-module';

/**
 * Test image `index` of the folder `dir` (the four MNIST-format IDX files; only the test ones are read).
 * `label` names the folder in the description ("the embedded MNIST subset").
 */
export function testSample(dir: string, index: number, label = dir): SampleImage {
  const im = readIdxFile(findIdxFile(dir, IDX_FILES.testImages));
  const lb = readIdxFile(findIdxFile(dir, IDX_FILES.testLabels));
  if (im.dims.length !== 3) throw new Error(`${dir}: test images should have 3 dimensions, found ${im.dims.length}`);
  const [count, rows, cols] = im.dims;
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new Error(`${dir}: test image ${index} does not exist (the test set holds ${count}: 0 to ${count - 1})`);
  if (lb.dims[0] !== count) throw new Error(`${dir}: ${count} test images but ${lb.dims[0]} labels`);
  const size = rows * cols;
  return { pixels: im.data.slice(index * size, (index + 1) * size), label: lb.data[index], description: `test image ${index} of ${label}` };
}

/** Whether a sample fits the model's input (the same number of values). */
export function sampleFits(spec: ModelSpec, sample: SampleImage): boolean {
  return sample.pixels.length === spec.input.shape.reduce((a, b) => a * b, 1);
}
