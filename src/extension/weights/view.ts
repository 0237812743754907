/**
 * One tensor of a weight file (or a slice of it, `[0, :, :]` with PyTorch's indexing rules) made ready for the
 * page in a single streaming pass: its statistics, its picture (exact up to a screen's worth of cells, else
 * reduced by max-abs per block), the first rows of a [R, 784] view as 28×28 tiles, and PyTorch's print. Pure.
 */
import * as torch from '../../engine';
import type { TensorStats, WeightView } from '../../protocol';
import { gather, numel, wholeView, type Job, type Sink, type ViewGeometry } from './gather';
import { CollectSink, MaxAbsBlocks, PrefixSink, StatsSink } from './reduce';
import { ExactSink, printView } from './print';
import { Scratch, type SourceEntry, type TensorSource } from './source';

/** A 2-D picture has at most this many cell rows and columns; larger views are reduced by max-abs per block. */
export const MAX_SIDE = 1024;
/** A 1-D strip has at most this many cells. */
export const MAX_STRIP = 2048;
/** A [R, 784] view shows its first rows (at most this many) as 28×28 tiles. */
export const MAX_TILES = 256;
export const TILE_WIDTH = 784;
/** Longest slice text accepted. */
export const MAX_INDEX_LENGTH = 200;

export class IndexError extends Error {}

/** The slice text as shown: `[0, :, :]` (brackets added), or '' for the whole tensor. */
export function normaliseIndex(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  return t.startsWith('[') && t.endsWith(']') ? t : `[${t}]`;
}

/**
 * Where `name[index]` lies in the tensor, by the engine's indexing (integers, negative ones, start:stop:step with a
 * positive step, None, ...), without reading an element: the engine computes the view of a tensor with no data.
 */
export function viewOf(entry: SourceEntry, index: string): ViewGeometry {
  const idx = normaliseIndex(index);
  if (idx === '') return wholeView(entry.shape);
  if (idx.length > MAX_INDEX_LENGTH) throw new IndexError(`the slice is ${idx.length} characters long (at most ${MAX_INDEX_LENGTH})`);
  try {
    const parsed = torch.parseIndexText(idx);
    // Geometry only: no storage behind it, and views never touch storage.
    const base = new torch.Tensor(new Float32Array(0), entry.shape, 'float32');
    const v = torch.indexTensor(base, parsed.items, parsed.tuple);
    return { shape: [...v.shape], strides: [...v.strides], offset: v.offset };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new IndexError(`${entry.name}${idx}: ${msg}`);
  }
}

/** Block size so that n values fit in `max` cells. */
const blockFor = (n: number, max: number): number => Math.max(1, Math.ceil(n / max));

export interface ComputedView {
  view: WeightView;
  /** Statistics of the view (of the whole tensor when `index` is ''). */
  stats: TensorStats;
}

/** Reads what the page needs to show `entry[index]`. Throws IndexError for a bad slice, Cancelled when cancelled. */
export async function computeView(src: TensorSource, entry: SourceEntry, index: string, job: Job, known?: TensorStats): Promise<ComputedView> {
  const idx = normaliseIndex(index);
  const g = viewOf(entry, idx);
  const n = numel(g.shape);
  const nd = g.shape.length;
  const sinks: Sink[] = [];
  const stats = idx === '' && known ? null : new StatsSink();
  if (stats) sinks.push(stats);

  // The picture: 1-D strip or 2-D heatmap, exact or max-abs per block.
  const rows = nd === 2 ? g.shape[0] : 1;
  const cols = nd === 2 ? g.shape[1] : nd === 1 ? g.shape[0] : 0;
  const drawable = (nd === 1 || nd === 2) && n > 0;
  const br = nd === 2 ? blockFor(rows, MAX_SIDE) : 1;
  const bc = blockFor(cols, nd === 2 ? MAX_SIDE : MAX_STRIP);
  const exactPicture = drawable && br === 1 && bc === 1 ? new CollectSink(n) : null;
  const blocks = drawable && !exactPicture ? new MaxAbsBlocks(rows, cols, br, bc) : null;
  if (exactPicture) sinks.push(exactPicture);
  if (blocks) sinks.push(blocks);
  const tileCount = nd === 2 && cols === TILE_WIDTH ? Math.min(rows, MAX_TILES) : 0;
  const tiles = tileCount > 0 && !exactPicture ? new PrefixSink(tileCount * TILE_WIDTH) : null;
  if (tiles) sinks.push(tiles);
  const exact = n <= torch.PRINT_OPTIONS.threshold ? new ExactSink(n) : null;
  if (exact) sinks.push(exact);

  if (sinks.length) await gather(src, entry, g, sinks, job, new Scratch());
  const print = await printView(src, entry, g, job, exact?.data);

  const view: WeightView = { name: entry.name, index: idx, sourceShape: entry.shape.slice(), shape: g.shape, offset: g.offset, strides: g.strides, print, stats: stats ? stats.result() : (known as TensorStats) };
  if (exactPicture) view.picture = { rows, cols, data: exactPicture.data.buffer };
  if (blocks) {
    view.picture = {
      rows: blocks.cellRows, cols: blocks.cellCols, data: blocks.values.buffer,
      downsample: { method: 'max-abs', block: [br, bc], positions: blocks.positions.buffer },
    };
  }
  if (tileCount > 0) {
    const data = exactPicture ? exactPicture.data.slice(0, tileCount * TILE_WIDTH) : (tiles as PrefixSink).data;
    view.tiles = { count: tileCount, data: data.buffer };
  }
  return { view, stats: view.stats };
}
