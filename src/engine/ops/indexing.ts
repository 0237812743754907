/**
 * Basic indexing with PyTorch's rules: integers (negative allowed), start:stop:step slices (positive steps),
 * None (new axis) and ... (Ellipsis); as a typed list or from the text a user types (`t.index(':2, :3')`).
 * The resulting grad_fn matches PyTorch's: SelectBackward0, SliceBackward0, UnsqueezeBackward0, AliasBackward0.
 */
import type { Tensor } from '../tensor';
import { aliasOf, select, sliceDim, unsqueeze } from './view';

export class Slice {
  constructor(readonly start: number | null = null, readonly stop: number | null = null, readonly step: number | null = null) {}
  toString(): string {
    const f = (v: number | null) => (v === null ? '' : String(v));
    return `${f(this.start)}:${f(this.stop)}${this.step === null ? '' : ':' + this.step}`;
  }
}

/** `slice(start, stop, step)` as in Python; pass null to leave a bound out. */
export function slice(start: number | null = null, stop: number | null = null, step: number | null = null): Slice {
  return new Slice(start, stop, step);
}

export const Ellipsis = '...';
/** One index item: an integer, a Slice, null (None, a new axis) or '...'. */
export type IndexItem = number | Slice | null | typeof Ellipsis;

/** A parsed index: several items (a Python tuple) or a single one; PyTorch treats the two differently. */
export interface ParsedIndex {
  items: IndexItem[];
  tuple: boolean;
}

const INT = /^[+-]?\d+$/;

function parseInt64(s: string, whole: string): number {
  const v = Number(s);
  if (!Number.isSafeInteger(v)) throw new SyntaxError(`index '${whole}': ${s} is too large`);
  return v;
}

function parseItem(raw: string, whole: string): IndexItem {
  const s = raw.trim();
  if (s === '...' || s === 'Ellipsis') return Ellipsis;
  if (s === 'None') return null;
  if (INT.test(s)) return parseInt64(s, whole);
  if (s.includes(':')) {
    const parts = s.split(':');
    if (parts.length > 3) throw new SyntaxError(`index '${whole}': '${s}' has too many ':' (a slice is start:stop:step)`);
    const bound = (p: string | undefined): number | null => {
      const v = (p ?? '').trim();
      if (v === '' || v === 'None') return null;
      if (!INT.test(v)) throw new SyntaxError(`index '${whole}': slice bound '${v}' is not an integer`);
      return parseInt64(v, whole);
    };
    return new Slice(bound(parts[0]), bound(parts[1]), bound(parts[2]));
  }
  if (s === 'True' || s === 'False' || s.startsWith('[') || s.startsWith('(')) {
    throw new SyntaxError(`index '${whole}': advanced indexing with booleans, lists or tensors is not supported; use integers, slices, None and ...`);
  }
  throw new SyntaxError(`index '${whole}': '${s}' is not an integer, a slice like 1:5:2, None or ...`);
}

/** Parses the text inside the brackets of `t[...]`, e.g. `:2, :3` or `0, ..., None`. */
export function parseIndexText(text: string): ParsedIndex {
  const body = text.trim().replace(/^\[(.*)\]$/s, '$1');
  if (body.trim() === '') throw new SyntaxError('empty index: write t.index(":") for the whole tensor');
  const parts = body.split(',');
  const tuple = parts.length > 1;
  if (tuple && parts[parts.length - 1].trim() === '') parts.pop();
  const items = parts.map((p) => {
    if (p.trim() === '') throw new SyntaxError(`index '${text}': empty item between commas`);
    return parseItem(p, text);
  });
  return { items, tuple };
}

/** Items of a textual index (tuple-ness dropped); see `parseIndexText`. */
export function parseIndex(text: string): IndexItem[] {
  return parseIndexText(text).items;
}

function consumes(item: IndexItem): boolean {
  return typeof item === 'number' || item instanceof Slice;
}

/** Applies an index like Python's `t[items]`; `tuple` is false for a lone item (`t[:]` vs `t[:, :]`). */
export function indexTensor(t: Tensor, items: readonly IndexItem[], tuple = items.length !== 1): Tensor {
  if (!tuple && items.length === 1) {
    const it = items[0];
    if (it === null) return unsqueeze(t, 0);
    if (it === Ellipsis) return aliasOf(t);
    if (typeof it === 'number') return selectChecked(t, 0, it);
    if (it instanceof Slice) return sliceItem(t, 0, it);
  }
  let specified = 0;
  for (const it of items) {
    if (consumes(it)) specified++;
    else if (it !== Ellipsis && it !== null) throw new TypeError(`invalid index item ${String(it)}`);
  }
  // As in PyTorch 1.13, each `...` skips the dims no other item consumes (so `t[..., ...]` is allowed).
  if (specified > t.ndim) throw new RangeError(`too many indices for tensor of dimension ${t.ndim}`);
  let r = t;
  let dim = 0;
  for (const it of items) {
    if (typeof it === 'number') r = selectChecked(r, dim, it);
    else if (it instanceof Slice) {
      r = sliceItem(r, dim, it);
      dim++;
    } else if (it === null) {
      r = unsqueeze(r, dim);
      dim++;
    } else dim += t.ndim - specified;
  }
  return r === t ? aliasOf(t) : r;
}

function selectChecked(t: Tensor, dim: number, i: number): Tensor {
  if (t.ndim === 0) {
    throw new RangeError('invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number');
  }
  if (!Number.isInteger(i)) throw new TypeError(`only integers, slices, None and ... are valid indices (got ${i})`);
  return select(t, dim, i);
}

/** Every slice is applied, full ones included (PyTorch 1.13 records SliceBackward0 for `x[:, :]`). */
function sliceItem(t: Tensor, dim: number, s: Slice): Tensor {
  const step = s.step ?? 1;
  if (step === 0) throw new RangeError('slice step cannot be zero');
  if (step < 0) throw new RangeError('step must be greater than zero');
  if (t.ndim === 0) throw new RangeError('invalid index of a 0-dim tensor.');
  return sliceDim(t, dim, s.start, s.stop, step);
}
