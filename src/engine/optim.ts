/** torch.optim: SGD and Adam with PyTorch 1.13's exact update formulas, as flat loops over each parameter. */
import { Tensor } from './tensor';
import { noGrad } from './autograd';
import { allocStorage, Storage } from './dtype';
import { contiguousData } from './ops/view';
import { wasmSgd } from './kernels/wasm';

export abstract class Optimizer {
  readonly params: Tensor[];

  constructor(params: Iterable<Tensor>) {
    this.params = [...params];
    if (this.params.length === 0) throw new RangeError('optimizer got an empty parameter list');
    for (const p of this.params) {
      if (!p.isLeaf) throw new TypeError("can't optimize a non-leaf Tensor");
      if (!p.isContiguous()) throw new TypeError('optimizer parameters must be contiguous tensors');
    }
  }

  /** 1.13's default (setToNone=false) zeroes the existing gradients in place. */
  zeroGrad(setToNone = false): void {
    for (const p of this.params) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else noGrad(() => (p.grad as Tensor).zero_());
    }
  }

  abstract step(): void;

  protected static gradOf(p: Tensor): Storage | null {
    if (p.grad === null) return null;
    return contiguousData(p.grad);
  }
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

function check(cond: boolean, msg: string): void {
  if (!cond) throw new RangeError(msg);
}

export class SGD extends Optimizer {
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly maximize: boolean;
  private readonly buffers = new Map<Tensor, Storage>();

  constructor(params: Iterable<Tensor>, opts: SGDOptions) {
    super(params);
    check(typeof opts.lr === 'number' && opts.lr >= 0, `Invalid learning rate: ${opts.lr}`);
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.maximize = opts.maximize ?? false;
    check(this.momentum >= 0, `Invalid momentum value: ${this.momentum}`);
    check(this.weightDecay >= 0, `Invalid weight_decay value: ${this.weightDecay}`);
    check(!this.nesterov || (this.momentum > 0 && this.dampening === 0), 'Nesterov momentum requires a momentum and zero dampening');
  }

  /**
   * d = g (+ wd·p); with momentum: buf = d on the first step, else buf = m·buf + (1 − dampening)·d;
   * d = d + m·buf (nesterov) or buf; p -= lr·d.
   */
  step(): void {
    const { momentum: m, dampening, weightDecay: wd, nesterov } = this;
    const sign = this.maximize ? -1 : 1;
    for (const p of this.params) {
      const g = Optimizer.gradOf(p);
      if (g === null) continue;
      const w = p.storage;
      const o = p.offset;
      const n = p.numel();
      const alpha = p.dtype === 'float32' ? Math.fround(-this.lr) : -this.lr;
      if (m === 0) {
        if (wd === 0 && sign === 1) {
          if (!wasmSgd(w, o, g, n, alpha, p.shape[p.ndim - 1] ?? n)) for (let i = 0; i < n; i++) w[o + i] += alpha * g[i];
        }
        else for (let i = 0; i < n; i++) w[o + i] += alpha * (sign * g[i] + wd * w[o + i]);
        continue;
      }
      let buf = this.buffers.get(p);
      const first = buf === undefined;
      if (buf === undefined) {
        buf = allocStorage(p.dtype, n);
        this.buffers.set(p, buf);
      }
      for (let i = 0; i < n; i++) {
        const d = sign * g[i] + wd * w[o + i];
        buf[i] = first ? d : m * buf[i] + (1 - dampening) * d;
        w[o + i] += alpha * (nesterov ? d + m * buf[i] : buf[i]);
      }
    }
  }

  /** The momentum buffer of a parameter (as `optimizer.state[p]['momentum_buffer']`). */
  momentumBuffer(p: Tensor): Tensor | null {
    const b = this.buffers.get(p);
    return b ? new Tensor(b, p.shape, p.dtype) : null;
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

interface AdamState {
  step: number;
  expAvg: Storage;
  expAvgSq: Storage;
  maxExpAvgSq: Storage | null;
}

export class Adam extends Optimizer {
  readonly lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  readonly maximize: boolean;
  private readonly state = new Map<Tensor, AdamState>();

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super(params);
    this.lr = opts.lr ?? 1e-3;
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.amsgrad = opts.amsgrad ?? false;
    this.maximize = opts.maximize ?? false;
    check(this.lr >= 0, `Invalid learning rate: ${this.lr}`);
    check(this.eps >= 0, `Invalid epsilon value: ${this.eps}`);
    check(this.betas[0] >= 0 && this.betas[0] < 1, `Invalid beta parameter at index 0: ${this.betas[0]}`);
    check(this.betas[1] >= 0 && this.betas[1] < 1, `Invalid beta parameter at index 1: ${this.betas[1]}`);
    check(this.weightDecay >= 0, `Invalid weight_decay value: ${this.weightDecay}`);
  }

  /**
   * g (+ wd·p); m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p -= lr/(1−β1^t) · m / (√v / √(1−β2^t) + eps).
   */
  step(): void {
    const [b1, b2] = this.betas;
    for (const p of this.params) {
      const g = Optimizer.gradOf(p);
      if (g === null) continue;
      const n = p.numel();
      let st = this.state.get(p);
      if (!st) {
        st = { step: 0, expAvg: allocStorage(p.dtype, n), expAvgSq: allocStorage(p.dtype, n), maxExpAvgSq: this.amsgrad ? allocStorage(p.dtype, n) : null };
        this.state.set(p, st);
      }
      st.step++;
      const bc1 = 1 - b1 ** st.step;
      const bc2Sqrt = Math.sqrt(1 - b2 ** st.step);
      const stepSize = this.lr / bc1;
      const { expAvg: m, expAvgSq: v, maxExpAvgSq: vmax } = st;
      const w = p.storage;
      const o = p.offset;
      const sign = this.maximize ? -1 : 1;
      for (let i = 0; i < n; i++) {
        const gi = sign * g[i] + this.weightDecay * w[o + i];
        m[i] = m[i] * b1 + (1 - b1) * gi;
        v[i] = v[i] * b2 + (1 - b2) * gi * gi;
        let vi = v[i];
        if (vmax) {
          vmax[i] = Math.max(vmax[i], vi);
          vi = vmax[i];
        }
        const denom = Math.sqrt(vi) / bc2Sqrt + this.eps;
        w[o + i] -= (stepSize * m[i]) / denom;
      }
    }
  }

  stepCount(p: Tensor): number {
    return this.state.get(p)?.step ?? 0;
  }
}
