/**
 * PyTorch's tensor printing (torch/_tensor_str.py, 1.13) reproduced exactly: precision 4, linewidth 80,
 * summarisation above 1000 elements with 3 edge items, one shared column width, fixed / scientific /
 * integer modes, and the `dtype=`, `grad_fn=<...>`, `requires_grad=True` suffixes.
 */
import type { Tensor } from './tensor';
import { DType, isFloating } from './dtype';
import { contiguousStrides } from './shape';

export const PRINT_OPTIONS = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 };

/** Python's `'{:.Nf}'.format(x)`: exact value, ties to even (JS toFixed rounds ties away from zero). */
export function pyFixed(x: number, p: number): string {
  if (!Number.isFinite(x)) return pySpecial(x);
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (a >= 1e21) return (neg ? '-' : '') + BigInt(Math.round(a)).toString() + (p > 0 ? '.' + '0'.repeat(p) : '');
  let s = a.toFixed(p);
  const long = a.toFixed(Math.min(100, p + 30));
  const tail = long.slice(long.length - 30);
  if (/^50*$/.test(tail)) {
    // An exact tie: toFixed rounded up; Python keeps the even neighbour.
    const truncated = long.slice(0, long.length - 30);
    const digits = truncated.replace('.', '');
    const last = digits.charCodeAt(digits.length - 1) - 48;
    if (last % 2 === 0) s = p === 0 ? truncated.replace(/\.$/, '') : truncated;
  }
  return (neg ? '-' : '') + s;
}

/** Python's `'{:.Ne}'.format(x)`: `1.2346e-05` (two-digit exponent, ties to even). */
export function pyExp(x: number, p: number): string {
  if (!Number.isFinite(x)) return pySpecial(x);
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let s = a.toExponential(p);
  const long = a.toExponential(Math.min(100, p + 30));
  const [mant, exp] = long.split('e');
  const tail = mant.slice(mant.length - 30);
  if (/^50*$/.test(tail)) {
    const truncated = mant.slice(0, mant.length - 30);
    const digits = truncated.replace('.', '');
    const last = digits.charCodeAt(digits.length - 1) - 48;
    if (last % 2 === 0) s = (p === 0 ? truncated.replace(/\.$/, '') : truncated) + 'e' + exp;
  }
  const [m, e] = s.split('e');
  const en = Number(e);
  const ed = String(Math.abs(en)).padStart(2, '0');
  return (neg ? '-' : '') + m + 'e' + (en < 0 ? '-' : '+') + ed;
}

function pySpecial(x: number): string {
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
}

/** `'{}'.format(v)` for an element of a tensor of this dtype. */
function pyScalar(v: number, dtype: DType): string {
  if (dtype === 'bool') return v ? 'True' : 'False';
  if (!isFloating(dtype)) return String(v);
  return pyRepr(v);
}

/** Python's repr of a float: shortest round-trip digits (`0.1`, `1e-05`, `1.0`). */
export function pyRepr(v: number): string {
  if (!Number.isFinite(v)) return pySpecial(v);
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const a = Math.abs(v);
  if (a >= 1e16 || a < 1e-4) {
    const [m, e] = v.toExponential().split('e');
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const s = String(v);
  return /[.e]/.test(s) ? s : s + '.0';
}

class Formatter {
  readonly floating: boolean;
  intMode = true;
  sciMode = false;
  maxWidth = 1;

  constructor(values: ArrayLike<number>, readonly dtype: DType) {
    this.floating = isFloating(dtype);
    const p = PRINT_OPTIONS.precision;
    if (!this.floating) {
      for (let i = 0; i < values.length; i++) this.maxWidth = Math.max(this.maxWidth, pyScalar(values[i], dtype).length);
      return;
    }
    const nz: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v) && v !== 0) nz.push(v);
    }
    if (nz.length === 0) return;
    let min = Infinity;
    let max = 0;
    for (const v of nz) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
    }
    for (const v of nz) {
      if (v !== Math.ceil(v)) {
        this.intMode = false;
        break;
      }
    }
    if (this.intMode) {
      if (max / min > 1000 || max > 1e8) {
        this.sciMode = true;
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, pyExp(v, p).length);
      } else {
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, pyFixed(v, 0).length + 1);
      }
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      this.sciMode = true;
      for (const v of nz) this.maxWidth = Math.max(this.maxWidth, pyExp(v, p).length);
    } else {
      for (const v of nz) this.maxWidth = Math.max(this.maxWidth, pyFixed(v, p).length);
    }
  }

  format(v: number): string {
    let ret: string;
    if (this.floating) {
      if (this.sciMode) ret = pyExp(v, PRINT_OPTIONS.precision);
      else if (this.intMode) {
        ret = pyFixed(v, 0);
        if (Number.isFinite(v)) ret += '.';
      } else ret = pyFixed(v, PRINT_OPTIONS.precision);
    } else ret = pyScalar(v, this.dtype);
    return ret.length < this.maxWidth ? ' '.repeat(this.maxWidth - ret.length) + ret : ret;
  }
}

interface Flat {
  data: ArrayLike<number>;
  shape: readonly number[];
  strides: readonly number[];
}

/** The elements shown when summarising (get_summarized_data). */
function summarizedValues(f: Flat, off: number, d: number, out: number[]): void {
  const n = f.shape[d];
  const e = PRINT_OPTIONS.edgeitems;
  const idx: number[] = [];
  if (n > 2 * e) {
    for (let i = 0; i < e; i++) idx.push(i);
    for (let i = n - e; i < n; i++) idx.push(i);
  } else for (let i = 0; i < n; i++) idx.push(i);
  for (const i of idx) {
    const o = off + i * f.strides[d];
    if (d === f.shape.length - 1) out.push(f.data[o]);
    else summarizedValues(f, o, d + 1, out);
  }
}

function vectorStr(f: Flat, off: number, indent: number, summarize: boolean, fmt: Formatter): string {
  const elementLength = fmt.maxWidth + 2;
  const perLine = Math.max(1, Math.floor((PRINT_OPTIONS.linewidth - indent) / elementLength));
  const d = f.shape.length - 1;
  const n = f.shape[d];
  const st = f.strides[d];
  const e = PRINT_OPTIONS.edgeitems;
  const data: string[] = [];
  if (summarize && n > 2 * e) {
    for (let i = 0; i < e; i++) data.push(fmt.format(f.data[off + i * st]));
    data.push(' ...');
    for (let i = n - e; i < n; i++) data.push(fmt.format(f.data[off + i * st]));
  } else for (let i = 0; i < n; i++) data.push(fmt.format(f.data[off + i * st]));
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
  return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
}

function tensorStr(f: Flat, off: number, d: number, indent: number, summarize: boolean, fmt: Formatter): string {
  const dim = f.shape.length - d;
  if (dim === 0) return fmt.format(f.data[off]);
  if (dim === 1) return vectorStr(f, off, indent, summarize, fmt);
  const n = f.shape[d];
  const e = PRINT_OPTIONS.edgeitems;
  const sub = (i: number): string => tensorStr(f, off + i * f.strides[d], d + 1, indent + 1, summarize, fmt);
  const slices: string[] = [];
  if (summarize && n > 2 * e) {
    for (let i = 0; i < e; i++) slices.push(sub(i));
    slices.push('...');
    for (let i = n - e; i < n; i++) slices.push(sub(i));
  } else for (let i = 0; i < n; i++) slices.push(sub(i));
  return '[' + slices.join(',' + '\n'.repeat(dim - 1) + ' '.repeat(indent + 1)) + ']';
}

/** The bracketed body of a tensor's repr, given the indent of its opening bracket. */
export function formatBody(values: ArrayLike<number>, shape: readonly number[], dtype: DType, indent: number): string {
  let n = 1;
  for (const s of shape) n *= s;
  if (n === 0) return '[]';
  const f: Flat = { data: values, shape, strides: contiguousStrides(shape) };
  const summarize = n > PRINT_OPTIONS.threshold;
  let shown: ArrayLike<number> = values;
  if (summarize) {
    const out: number[] = [];
    summarizedValues(f, 0, 0, out);
    shown = out;
  } else if (shape.length === 0) shown = [values[0]];
  return tensorStr(f, 0, 0, indent, summarize, new Formatter(shown, dtype));
}

function addSuffixes(tensorStr: string, suffixes: string[], indent: number): string {
  const parts = [tensorStr];
  let lastLineLen = tensorStr.length - tensorStr.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > PRINT_OPTIONS.linewidth) {
      parts.push(',\n' + ' '.repeat(indent) + suffix);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(', ' + suffix);
      lastLineLen += suffix.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

/** Python's tuple repr of a shape: `(0, 3)`, `(0,)`. */
function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

export interface ReprOptions {
  /** grad_fn name, printed as `grad_fn=<...>`. */
  gradFn?: string | null;
  /** Printed as `requires_grad=True` when there is no grad_fn. */
  requiresGrad?: boolean;
  /** Prefixed with `Parameter containing:` as nn.Parameter prints. */
  parameter?: boolean;
}

/**
 * PyTorch's repr of values of `shape` (row-major; only the elements the print shows are read) formatted as
 * `dtype`. `dtypeName` is the torch dtype the suffix names, when it is not the one the values are formatted as
 * (a float16 file tensor is formatted as float32 but prints `dtype=torch.float16`).
 */
export function formatRepr(values: ArrayLike<number>, shape: readonly number[], dtype: DType, dtypeName: string = dtype, opts: ReprOptions = {}): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;
  let n = 1;
  for (const d of shape) n *= d;
  if (n === 0) {
    if (shape.length !== 1) suffixes.push('size=' + pyTuple(shape));
    if (dtypeName !== 'float32') suffixes.push(`dtype=torch.${dtypeName}`);
    body = '[]';
  } else {
    if (dtypeName !== 'float32' && dtypeName !== 'int64' && dtypeName !== 'bool') suffixes.push(`dtype=torch.${dtypeName}`);
    body = formatBody(values, shape, dtype, indent);
  }
  if (opts.gradFn) suffixes.push(`grad_fn=<${opts.gradFn}>`);
  else if (opts.requiresGrad) suffixes.push('requires_grad=True');
  const s = addSuffixes(prefix + body, suffixes, indent);
  return opts.parameter ? 'Parameter containing:\n' + s : s;
}

export function formatTensor(t: Tensor): string {
  return formatRepr(t.numel() === 0 ? [] : t.toArray(), t.shape, t.dtype, t.dtype, {
    gradFn: t.gradFn?.name ?? null,
    requiresGrad: t.requiresGrad,
    parameter: t.isParameter,
  });
}
