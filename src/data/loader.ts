/**
 * DataLoader(dataset, { batchSize, shuffle, seed, dropLast }) as in PyTorch: each epoch (each iteration) visits
 * the samples in order, or in the order of `randperm(n, generator)` from a generator seeded once, which is what
 * `DataLoader(ds, shuffle=True, generator=torch.Generator().manual_seed(seed))` draws. Batches are
 * `x` float32 [B, rows*cols] in [0, 1] (`ToTensor()`), optionally `(x - mean) / std` (`Normalize`), and
 * `y` int64 [B]. The batch tensors are filled into buffers reused from batch to batch: a batch is valid until the
 * next one is drawn (clone it to keep it).
 */
import * as torch from '../engine';
import type { ImageDataset } from './dataset';

export interface DataLoaderOptions {
  batchSize: number;
  shuffle?: boolean;
  /** Seeds the shuffling generator (default 0). */
  seed?: number;
  /** Or a generator of your own (its state advances by one randperm per epoch). */
  generator?: torch.Generator;
  dropLast?: boolean;
  /** Normalize(mean, std) after scaling to [0, 1]. */
  mean?: number;
  std?: number;
}

export interface Batch {
  /** float32 [B, features]. */
  x: torch.Tensor;
  /** int64 [B]. */
  y: torch.Tensor;
  /** Dataset indices of the rows (reused buffer, valid until the next batch). */
  indices: Int32Array;
  size: number;
}

export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly features: number;
  private readonly generator: torch.Generator;
  /** grey level → float value: the whole of ToTensor + Normalize as one table. */
  private readonly lut = new Float32Array(256);
  /** No Normalize: the table is v/255, which the engine's kernels compute directly (the same float32 numbers). */
  private readonly unit: boolean;
  private starts = new Float64Array(0);

  constructor(readonly dataset: ImageDataset, opts: DataLoaderOptions) {
    const { batchSize } = opts;
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`batch_size should be a positive integer value, but got batch_size=${batchSize}`);
    this.batchSize = batchSize;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.features = dataset.rows * dataset.cols;
    this.generator = opts.generator ?? new torch.Generator(opts.seed ?? 0);
    // Normalize turns mean and std into float32 tensors and computes (x - mean) / std in float32.
    const mean = Math.fround(opts.mean ?? 0);
    const std = Math.fround(opts.std ?? 1);
    if (!(std > 0) || !Number.isFinite(mean)) throw new RangeError(`Normalize needs a finite mean and a positive std, got mean=${opts.mean}, std=${opts.std}`);
    this.unit = opts.mean === undefined && opts.std === undefined;
    for (let v = 0; v < 256; v++) {
      const x = Math.fround(v / 255);
      this.lut[v] = opts.mean === undefined && opts.std === undefined ? x : Math.fround(Math.fround(x - mean) / std);
    }
  }

  /** Batches per epoch: len(loader). */
  get length(): number {
    const n = this.dataset.count;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample order of the next epoch (draws from the generator when shuffling). */
  nextOrder(): Float64Array | null {
    return this.shuffle ? this.generator.randperm(this.dataset.count) : null;
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const ds = this.dataset;
    const F = this.features;
    const order = this.nextOrder();
    const nb = this.length;
    // Buffers are made when first needed: a batch size past the dataset's size allocates only the data there is.
    let full: Batch | null = null;
    let partial: Batch | null = null;
    for (let b = 0; b < nb; b++) {
      const start = b * this.batchSize;
      const size = Math.min(this.batchSize, ds.count - start);
      const batch = size === this.batchSize ? (full ??= this.makeBatch(size)) : (partial ??= this.makeBatch(size));
      const xs = batch.x.storage;
      const ys = batch.y.storage;
      const starts = this.starts.length >= size ? this.starts : (this.starts = new Float64Array(size));
      for (let r = 0; r < size; r++) {
        const idx = order ? order[start + r] : start + r;
        batch.indices[r] = idx;
        ys[r] = ds.labels[idx];
        starts[r] = idx * F;
      }
      if (!(this.unit && xs instanceof Float32Array && torch.wasmBytesToUnit(xs, 0, ds.images, starts, size, F))) {
        const lut = this.lut;
        const images = ds.images;
        for (let r = 0; r < size; r++) {
          const src = starts[r];
          const dst = r * F;
          for (let j = 0; j < F; j++) xs[dst + j] = lut[images[src + j]];
        }
      }
      yield batch;
    }
  }

  private makeBatch(size: number): Batch {
    return {
      // In the kernels' arena when there is room: the first Linear then reads the batch in place.
      x: torch.fromStorage(torch.allocPinned(size * this.features) ?? new Float32Array(size * this.features), [size, this.features], 'float32'),
      y: torch.fromStorage(new Float64Array(size), [size], 'int64'),
      indices: new Int32Array(size),
      size,
    };
  }
}

/** Mean and std of all pixels scaled to [0, 1] (what one passes to Normalize). */
export function pixelStats(ds: ImageDataset): { mean: number; std: number } {
  const hist = new Float64Array(256);
  for (let i = 0; i < ds.images.length; i++) hist[ds.images[i]]++;
  let s = 0;
  let s2 = 0;
  for (let v = 0; v < 256; v++) {
    s += hist[v] * (v / 255);
    s2 += hist[v] * (v / 255) ** 2;
  }
  const n = ds.images.length;
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(0, s2 / n - mean * mean)) };
}
