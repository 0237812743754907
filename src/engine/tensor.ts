/**
 * The Tensor: a strided view (shape, strides, offset) over typed-array storage, with autograd fields.
 * Ops live in ./ops; the methods here only forward to them so that `t.add(u).sum()` reads like PyTorch.
 */
import { DType, Storage, isFloating } from './dtype';
import { Size, contiguousStrides, isContiguous, numel, normDim } from './shape';
import { Node, BackwardOptions, runBackward, isGradEnabled } from './autograd';
import { formatTensor } from './print';
import * as E from './ops/elementwise';
import * as R from './ops/reduce';
import * as L from './ops/linalg';
import * as F from './ops/nnfunc';
import * as V from './ops/view';
import { isPinned } from './kernels/wasm';
import { IndexItem, indexTensor, parseIndexText } from './ops/indexing';

export type Operand = Tensor | number;

export class Tensor {
  /** The flat storage, possibly shared with other views. */
  storage: Storage;
  readonly shape: Size;
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  private _requiresGrad = false;
  /** Gradient accumulated by backward() (leaves, or tensors that called retainGrad()). */
  grad: Tensor | null = null;
  /** The node that made this tensor (null for leaves): `gradFn.name` is PyTorch's grad_fn name. */
  gradFn: Node | null = null;
  /** Printed as `Parameter containing:` like torch.nn.Parameter. */
  isParameter = false;
  retainsGrad = false;

  constructor(storage: Storage, shape: readonly number[], dtype: DType = 'float32', strides?: readonly number[], offset = 0) {
    this.storage = storage;
    this.shape = Size.make(shape);
    this.strides = strides ? strides.slice() : contiguousStrides(shape);
    this.offset = offset;
    this.dtype = dtype;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(v: boolean) {
    if (v && !isFloating(this.dtype)) {
      throw new TypeError('only Tensors of floating point dtype can require gradients');
    }
    if (!v && this.gradFn !== null) {
      throw new Error(
        'you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a ' +
          'subgraph that doesn\'t require differentiation use var_no_grad = var.detach().',
      );
    }
    this._requiresGrad = v;
  }
  /** In-place `requires_grad_()`. */
  requiresGrad_(v = true): this {
    this.requiresGrad = v;
    return this;
  }

  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  numel(): number {
    return numel(this.shape);
  }
  size(): Size;
  size(dim: number): number;
  size(dim?: number): Size | number {
    if (dim === undefined) return this.shape;
    return this.shape[normDim(dim, this.ndim)];
  }
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }
  /** `.data`: the same storage, detached from the graph. */
  get data(): Tensor {
    return V.detach(this);
  }
  get T(): Tensor {
    return V.numpyT(this);
  }

  /** The value of a one-element tensor as a number. */
  item(): number {
    const n = this.numel();
    if (n !== 1) throw new RangeError('only one element tensors can be converted to Python scalars');
    return this.storage[this.offset];
  }
  /** Element at a full integer index (negative indices allowed). */
  at(...index: number[]): number {
    if (index.length !== this.ndim) {
      throw new RangeError(`at() needs ${this.ndim} indices for a tensor of shape [${this.shape.join(', ')}], got ${index.length}`);
    }
    let off = this.offset;
    for (let d = 0; d < index.length; d++) {
      let i = index[d];
      const n = this.shape[d];
      if (!Number.isInteger(i) || i < -n || i >= n) {
        throw new RangeError(`index ${i} is out of bounds for dimension ${d} with size ${n}`);
      }
      if (i < 0) i += n;
      off += i * this.strides[d];
    }
    return this.storage[off];
  }
  /**
   * The values in row-major order, in this tensor's storage type: read them, never write them (a contiguous
   * tensor may hand out its own storage). A parameter in the kernels' arena is always copied, so what leaves
   * the engine never aliases the arena (a postMessage of a view would clone all of it).
   */
  toArray(): Storage {
    const d = V.contiguousData(this);
    return isPinned(d) ? d.slice() : d;
  }
  /** Nested JS arrays, like `tolist()`. */
  tolist(): unknown {
    const flat = this.toArray();
    if (this.ndim === 0) return flat[0];
    let pos = 0;
    const build = (d: number): unknown[] => {
      const out: unknown[] = [];
      for (let i = 0; i < this.shape[d]; i++) out.push(d === this.ndim - 1 ? flat[pos++] : build(d + 1));
      return out;
    };
    return build(0);
  }
  /** PyTorch's repr: `tensor([[ 0.0082, -0.0310]], grad_fn=<AddBackward0>)`. */
  toString(): string {
    return formatTensor(this);
  }

  // ---- autograd ----
  backward(gradient?: Tensor | null, opts: BackwardOptions = {}): void {
    let seed: Tensor;
    if (gradient == null) {
      if (this.numel() !== 1) throw new Error('grad can be implicitly created only for scalar outputs');
      seed = V.onesLike(this);
    } else {
      if (gradient.shape.join() !== this.shape.join()) {
        throw new RangeError(
          `Mismatch in shape: grad_output[0] has a shape of torch.Size([${gradient.shape.join(', ')}]) and ` +
            `output[0] has a shape of torch.Size([${this.shape.join(', ')}]).`,
        );
      }
      seed = gradient.detach();
    }
    runBackward(this, seed, (a, b) => E.add(a, b), accumulateGrad, opts);
  }
  retainGrad(): this {
    if (this.gradFn !== null) this.retainsGrad = true;
    return this;
  }
  detach(): Tensor {
    return V.detach(this);
  }

  // ---- elementwise ----
  add(o: Operand): Tensor { return E.add(this, o); }
  sub(o: Operand): Tensor { return E.sub(this, o); }
  mul(o: Operand): Tensor { return E.mul(this, o); }
  div(o: Operand): Tensor { return E.div(this, o); }
  pow(o: Operand): Tensor { return E.pow(this, o); }
  neg(): Tensor { return E.neg(this); }
  exp(): Tensor { return E.exp(this); }
  log(): Tensor { return E.log(this); }
  sqrt(): Tensor { return E.sqrt(this); }
  abs(): Tensor { return E.abs(this); }
  clamp(min?: number | null, max?: number | null): Tensor { return E.clamp(this, min, max); }
  sigmoid(): Tensor { return E.sigmoid(this); }
  tanh(): Tensor { return E.tanh(this); }
  relu(): Tensor { return E.relu(this); }
  eq(o: Operand): Tensor { return E.compare(this, o, 'eq'); }
  ne(o: Operand): Tensor { return E.compare(this, o, 'ne'); }
  lt(o: Operand): Tensor { return E.compare(this, o, 'lt'); }
  le(o: Operand): Tensor { return E.compare(this, o, 'le'); }
  gt(o: Operand): Tensor { return E.compare(this, o, 'gt'); }
  ge(o: Operand): Tensor { return E.compare(this, o, 'ge'); }

  // ---- in place (no graph: used by optimisers and init under noGrad) ----
  add_(o: Operand, alpha = 1): this { E.inPlace(this, o, 'add', alpha); return this; }
  sub_(o: Operand, alpha = 1): this { E.inPlace(this, o, 'add', -alpha); return this; }
  mul_(o: Operand): this { E.inPlace(this, o, 'mul', 1); return this; }
  div_(o: Operand): this { E.inPlace(this, o, 'div', 1); return this; }
  copy_(src: Tensor): this { E.inPlace(this, src, 'copy', 1); return this; }
  fill_(v: number): this { E.inPlace(this, v, 'copy', 1); return this; }
  zero_(): this { return this.fill_(0); }

  // ---- reductions ----
  sum(dim?: number | number[] | null, keepdim = false): Tensor { return R.sum(this, dim, keepdim); }
  mean(dim?: number | number[] | null, keepdim = false): Tensor { return R.mean(this, dim, keepdim); }
  var(dim?: number | number[] | null, opts: R.VarOptions = {}): Tensor { return R.variance(this, dim, opts); }
  std(dim?: number | number[] | null, opts: R.VarOptions = {}): Tensor { return R.std(this, dim, opts); }
  max(): Tensor;
  max(dim: number, keepdim?: boolean): R.ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | R.ValuesIndices {
    return dim === undefined ? R.maxAll(this, 'max') : R.maxDim(this, dim, keepdim, 'max');
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): R.ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | R.ValuesIndices {
    return dim === undefined ? R.maxAll(this, 'min') : R.maxDim(this, dim, keepdim, 'min');
  }
  argmax(dim?: number | null, keepdim = false): Tensor { return R.argmax(this, dim, keepdim, 'max'); }
  norm(p = 2, dim?: number | number[] | null, keepdim = false): Tensor { return R.norm(this, p, dim, keepdim); }
  argmin(dim?: number | null, keepdim = false): Tensor { return R.argmax(this, dim, keepdim, 'min'); }

  // ---- linear algebra and nn functions ----
  matmul(o: Tensor): Tensor { return L.matmul(this, o); }
  mm(o: Tensor): Tensor { return L.mm(this, o); }
  softmax(dim: number): Tensor { return F.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return F.logSoftmax(this, dim); }

  // ---- views and copies ----
  view(...shape: number[] | [number[]]): Tensor { return V.view(this, flatArgs(shape)); }
  reshape(...shape: number[] | [number[]]): Tensor { return V.reshape(this, flatArgs(shape)); }
  viewAs(o: Tensor): Tensor { return V.view(this, o.shape); }
  transpose(d0: number, d1: number): Tensor { return V.transpose(this, d0, d1); }
  t(): Tensor { return V.t(this); }
  permute(...dims: number[] | [number[]]): Tensor { return V.permute(this, flatArgs(dims)); }
  unsqueeze(dim: number): Tensor { return V.unsqueeze(this, dim); }
  squeeze(dim?: number): Tensor { return V.squeeze(this, dim); }
  flatten(startDim = 0, endDim = -1): Tensor { return V.flatten(this, startDim, endDim); }
  expand(...shape: number[] | [number[]]): Tensor { return V.expand(this, flatArgs(shape)); }
  contiguous(): Tensor { return V.contiguous(this); }
  clone(): Tensor { return V.clone(this); }
  to(dtype: DType): Tensor { return V.toDType(this, dtype); }
  float(): Tensor { return V.toDType(this, 'float32'); }
  double(): Tensor { return V.toDType(this, 'float64'); }
  long(): Tensor { return V.toDType(this, 'int64'); }
  /**
   * PyTorch indexing: `t.index(':2, :3')` is `t[:2, :3]`; typed, `t.index([slice(null, 2), slice(null, 3)])`
   * (an array is a Python tuple) or `t.index(3)` (a lone item).
   */
  index(spec: string | readonly IndexItem[] | IndexItem): Tensor {
    if (typeof spec === 'string' && spec !== '...') {
      const p = parseIndexText(spec);
      return indexTensor(this, p.items, p.tuple);
    }
    if (Array.isArray(spec)) return indexTensor(this, spec as IndexItem[], true);
    return indexTensor(this, [spec as IndexItem], false);
  }
}

function flatArgs(args: number[] | [number[]]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]).slice() : (args as number[]);
}

/**
 * Adds g into t.grad. A fresh gradient (contiguous, whole storage, not handed to any other tensor in this pass)
 * becomes t.grad without a copy, as PyTorch steals it; anything else is cloned.
 */
function accumulateGrad(t: Tensor, g: Tensor, owned: Set<unknown>): void {
  if (t.grad === null) {
    const whole = g.offset === 0 && g.storage.length === g.numel() && g.isContiguous() && g.dtype === t.dtype;
    t.grad = whole && !owned.has(g.storage) ? new Tensor(g.storage, t.shape, t.dtype) : V.clone(g.detach());
    owned.add(t.grad.storage);
    return;
  }
  if (t.grad.shape.join() !== g.shape.join()) t.grad = E.add(t.grad, g);
  else E.inPlace(t.grad, g, 'add', 1);
}

/** Grad mode is global; exported here so callers need only this module. */
export { isGradEnabled };
