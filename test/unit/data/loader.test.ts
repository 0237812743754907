import { strict as assert } from 'node:assert';
import * as torch from '../../../src/engine';
import { DataLoader, pixelStats } from '../../../src/data/loader';
import type { ImageDataset } from '../../../src/data/dataset';

/** n images of 2×2 pixels whose first pixel is the image's index and whose label is index % 3. */
function tiny(n: number): ImageDataset {
  const images = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) images.set([i, 255, 0, 51], i * 4);
  return { name: 'tiny', count: n, rows: 2, cols: 2, images, labels: Uint8Array.from({ length: n }, (_, i) => i % 3), classNames: ['a', 'b', 'c'] };
}

function epoch(dl: DataLoader): { ids: number[][]; sizes: number[] } {
  const ids: number[][] = [];
  const sizes: number[] = [];
  for (const b of dl) {
    ids.push(Array.from(b.x.index(':, 0').toArray(), (v) => Math.round(v * 255)));
    sizes.push(b.size);
    assert.deepEqual(Array.from(b.y.toArray()), ids[ids.length - 1].map((i) => i % 3));
  }
  return { ids, sizes };
}

describe('DataLoader', () => {
  it('gives float32 [B, 784]-style batches in [0, 1] and int64 labels, in order without shuffle', () => {
    const dl = new DataLoader(tiny(7), { batchSize: 3 });
    assert.equal(dl.length, 3);
    const first = dl[Symbol.iterator]().next().value as import('../../../src/data/loader').Batch;
    assert.equal(first.x.dtype, 'float32');
    assert.equal(String(first.x.shape), 'torch.Size([3, 4])');
    assert.equal(first.y.dtype, 'int64');
    assert.equal(first.x.toString(), 'tensor([[0.0000, 1.0000, 0.0000, 0.2000],\n        [0.0039, 1.0000, 0.0000, 0.2000],\n        [0.0078, 1.0000, 0.0000, 0.2000]])');
    assert.equal(first.x.at(1, 0), Math.fround(1 / 255));
    assert.deepEqual(epoch(dl), { ids: [[0, 1, 2], [3, 4, 5], [6]], sizes: [3, 3, 1] });
  });

  it('drops the last partial batch with dropLast', () => {
    const dl = new DataLoader(tiny(7), { batchSize: 3, dropLast: true });
    assert.equal(dl.length, 2);
    assert.deepEqual(epoch(dl).sizes, [3, 3]);
  });

  it('shuffles with randperm of a generator seeded once: a new order each epoch, the same for the same seed', () => {
    const a = new DataLoader(tiny(10), { batchSize: 4, shuffle: true, seed: 3 });
    const b = new DataLoader(tiny(10), { batchSize: 4, shuffle: true, seed: 3 });
    const g = new torch.Generator(3);
    const e1 = epoch(a).ids.flat();
    assert.deepEqual(e1, Array.from(torch.randperm(10, { generator: g }).toArray()));
    const e2 = epoch(a).ids.flat();
    assert.deepEqual(e2, Array.from(torch.randperm(10, { generator: g }).toArray()));
    assert.notDeepEqual(e1, e2);
    assert.deepEqual([...e1].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(epoch(b).ids.flat(), e1);
  });

  it('normalises with mean/std as transforms.Normalize does', () => {
    const dl = new DataLoader(tiny(1), { batchSize: 1, mean: 0.1307, std: 0.3081 });
    const x = dl[Symbol.iterator]().next().value?.x as torch.Tensor;
    assert.equal(x.at(0, 1), Math.fround(Math.fround(1 - Math.fround(0.1307)) / Math.fround(0.3081)));
    assert.ok(Math.abs(x.at(0, 1) - (1 - 0.1307) / 0.3081) < 1e-6);
    assert.ok(Math.abs(x.at(0, 0) - -0.1307 / 0.3081) < 1e-6);
    assert.throws(() => new DataLoader(tiny(1), { batchSize: 1, std: 0 }), /Normalize needs a finite mean and a positive std/);
  });

  it('rejects a bad batch size as PyTorch does', () => {
    assert.throws(() => new DataLoader(tiny(3), { batchSize: 0 }), /batch_size should be a positive integer value, but got batch_size=0/);
  });

  it('pixelStats gives the mean and std over all pixels', () => {
    const s = pixelStats(tiny(1));
    const v = [0, 1, 0, 0.2];
    const m = v.reduce((a, b) => a + b) / 4;
    assert.ok(Math.abs(s.mean - m) < 1e-12);
    assert.ok(Math.abs(s.std - Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / 4)) < 1e-12);
  });
});
