/**
 * Checks every message from the host before the weight-file page touches it: the path of the first bad field is
 * reported (`view.picture.data: expected 200704 bytes, got 12`) and the message is ignored. Binary fields may
 * arrive as ArrayBuffers or typed-array views; they are checked against the shapes they claim. Pure: no DOM.
 */
import type { Downsample, ModelOffer, TensorStats, WeightFileInfo, WeightsHostToWebview, WeightTensorInfo, WeightView, WireNumber } from '../../src/protocol';
import { isBinary, toUint8, type BinaryLike } from '../tensor';
import { Invalid, arr, bool, fail, obj, str } from '../check';

export { Invalid };

function int(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(path, 'a non-negative integer', v);
  return v;
}
function shape(v: unknown, path: string): number[] {
  return arr(v, path, int);
}
function wire(v: unknown, path: string): WireNumber {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v === 'nan' || v === 'inf' || v === '-inf') return v;
  return fail(path, 'a finite number, "nan", "inf" or "-inf"', v);
}
/** A binary field of exactly `bytes` bytes, as its own ArrayBuffer (copied when it arrived as a view). */
function binary(v: unknown, path: string, bytes: number): ArrayBuffer {
  if (!isBinary(v)) return fail(path, 'an ArrayBuffer', v);
  if (v.byteLength !== bytes) fail(path, `${bytes} bytes`, v);
  if (v instanceof ArrayBuffer) return v;
  return toUint8(v as BinaryLike).slice().buffer;
}
const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function stats(v: unknown, path: string): TensorStats {
  const o = obj(v, path);
  return { min: wire(o.min, `${path}.min`), max: wire(o.max, `${path}.max`), mean: wire(o.mean, `${path}.mean`), std: wire(o.std, `${path}.std`), nan: int(o.nan, `${path}.nan`) };
}

function tensorInfo(v: unknown, path: string): WeightTensorInfo {
  const o = obj(v, path);
  const sh = shape(o.shape, `${path}.shape`);
  const n = int(o.numel, `${path}.numel`);
  if (n !== numel(sh)) fail(`${path}.numel`, `${numel(sh)} (the shape's element count)`, n);
  return {
    name: str(o.name, `${path}.name`), dtype: str(o.dtype, `${path}.dtype`), fileDType: str(o.fileDType, `${path}.fileDType`),
    shape: sh, numel: n, bytes: int(o.bytes, `${path}.bytes`), stats: o.stats === null ? null : stats(o.stats, `${path}.stats`),
  };
}

function fileInfo(v: unknown, path: string): WeightFileInfo {
  const o = obj(v, path);
  const format = o.format;
  if (format !== 'safetensors' && format !== 'npy' && format !== 'npy-dict') fail(`${path}.format`, 'safetensors|npy|npy-dict', format);
  const meta = obj(o.metadata, `${path}.metadata`);
  const metadata: Record<string, string> = {};
  for (const [k, x] of Object.entries(meta)) Object.defineProperty(metadata, k, { value: str(x, `${path}.metadata.${k}`), enumerable: true });
  return {
    name: str(o.name, `${path}.name`), path: str(o.path, `${path}.path`), format, bytes: int(o.bytes, `${path}.bytes`), metadata,
    tensors: arr(o.tensors, `${path}.tensors`, tensorInfo), trusted: bool(o.trusted, `${path}.trusted`),
  };
}

function offer(v: unknown, path: string): ModelOffer {
  const o = obj(v, path);
  return { uri: str(o.uri, `${path}.uri`), label: str(o.label, `${path}.label`), ok: bool(o.ok, `${path}.ok`), mismatch: arr(o.mismatch, `${path}.mismatch`, str) };
}

function view(v: unknown, path: string): WeightView {
  const o = obj(v, path);
  const sh = shape(o.shape, `${path}.shape`);
  const strides = arr(o.strides, `${path}.strides`, int);
  if (strides.length !== sh.length) fail(`${path}.strides`, `${sh.length} strides (one per dimension)`, strides);
  const out: WeightView = {
    name: str(o.name, `${path}.name`), index: str(o.index, `${path}.index`), sourceShape: shape(o.sourceShape, `${path}.sourceShape`), shape: sh,
    offset: int(o.offset, `${path}.offset`), strides, print: str(o.print, `${path}.print`), stats: stats(o.stats, `${path}.stats`),
  };
  if (o.picture !== undefined) {
    const p = obj(o.picture, `${path}.picture`);
    const rows = int(p.rows, `${path}.picture.rows`);
    const cols = int(p.cols, `${path}.picture.cols`);
    if (sh.length !== 1 && sh.length !== 2) fail(`${path}.picture`, 'no picture for a view that is not 1-D or 2-D', sh);
    let downsample: Downsample | undefined;
    if (p.downsample !== undefined) {
      const d = obj(p.downsample, `${path}.picture.downsample`);
      if (d.method !== 'max-abs') fail(`${path}.picture.downsample.method`, 'max-abs', d.method);
      const block = arr(d.block, `${path}.picture.downsample.block`, int);
      if (block.length !== 2 || block[0] < 1 || block[1] < 1) fail(`${path}.picture.downsample.block`, '[rows, cols] of at least 1', block);
      downsample = { method: 'max-abs', block: [block[0], block[1]], positions: binary(d.positions, `${path}.picture.downsample.positions`, rows * cols * 4) };
    }
    const vr = sh.length === 2 ? sh[0] : 1;
    const vc = sh[sh.length - 1];
    const [br, bc] = downsample?.block ?? [1, 1];
    if (rows !== Math.ceil(vr / br) || cols !== Math.ceil(vc / bc)) fail(`${path}.picture`, `${Math.ceil(vr / br)}×${Math.ceil(vc / bc)} cells for shape [${sh.join(', ')}]`, [rows, cols]);
    out.picture = { rows, cols, data: binary(p.data, `${path}.picture.data`, rows * cols * 4), ...(downsample ? { downsample } : {}) };
  }
  if (o.tiles !== undefined) {
    const t = obj(o.tiles, `${path}.tiles`);
    const count = int(t.count, `${path}.tiles.count`);
    if (sh.length !== 2 || sh[1] !== 784 || count > sh[0]) fail(`${path}.tiles.count`, 'at most one tile per row of a [R, 784] view', count);
    out.tiles = { count, data: binary(t.data, `${path}.tiles.data`, count * 784 * 4) };
  }
  return out;
}

export function validateWeightsMessage(m: unknown): WeightsHostToWebview {
  const o = obj(m, 'message');
  const type = o.type;
  switch (type) {
    case 'file':
      return { type, file: fileInfo(o.file, 'file') };
    case 'stats':
      return { type, stats: arr(o.stats, 'stats', (x, p) => {
        const s = obj(x, p);
        return { name: str(s.name, `${p}.name`), stats: stats(s.stats, `${p}.stats`) };
      }) };
    case 'view':
      return { type, requestId: int(o.requestId, 'requestId'), view: view(o.view, 'view') };
    case 'viewProgress': {
      const f = o.fraction;
      if (typeof f !== 'number' || !(f >= 0 && f <= 1)) fail('fraction', 'a number in [0, 1]', f);
      return { type, requestId: int(o.requestId, 'requestId'), fraction: f };
    }
    case 'viewError':
      return { type, requestId: int(o.requestId, 'requestId'), name: str(o.name, 'name'), index: str(o.index, 'index'), message: str(o.message, 'message') };
    case 'models':
      return { type, models: arr(o.models, 'models', offer) };
    case 'loaded':
      return { type, uri: str(o.uri, 'uri'), ok: bool(o.ok, 'ok'), message: str(o.message, 'message') };
    case 'error':
      return { type, file: str(o.file, 'file'), message: str(o.message, 'message') };
    default:
      return fail('type', 'file|stats|view|viewProgress|viewError|models|loaded|error', type);
  }
}
