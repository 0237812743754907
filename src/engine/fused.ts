/**
 * A training step of a plain MLP without the autograd graph: for `nn.Sequential` of `Linear` layers with a bias and
 * `Sigmoid` or `ReLU` between them, cross-entropy on the logits (mean over the batch). The forward, the loss and
 * the backward call the very kernels the autograd path calls (`mm2d` with the same operands and flags, the same
 * activation and softmax loops, the bias gradients' float64 column sums) in the same order, into buffers kept between steps, so the loss and
 * every gradient are the same numbers, bit for bit (±0 aside: a gradient that autograd would create as -0 is
 * accumulated here into a zeroed one). What it saves is the per-op work around the arithmetic: the tensors,
 * graph nodes and temporaries of ~20 ops per step, which is most of a step at batch 10.
 *
 * The Trainer uses it when `FusedMlpStep.of` accepts the model and the WebAssembly kernels are loaded; the
 * gradients land in the parameters' `.grad` (created zeroed when missing) for the optimizer, as after
 * `loss.backward()`. test/unit/engine/fused.test.ts compares it with the autograd path.
 */
import { Tensor } from './tensor';
import { allocStorage } from './dtype';
import { Linear, ReLU, Sigmoid } from './nn/layers';
import type { Module } from './nn/module';
import { mm2d, type Mat } from './ops/linalg';
import { columnSums } from './ops/reduce';
import { Un, unaryKernel, sigmoidBackward, reluBackward } from './kernels/unary';
import { softmaxKernel } from './kernels/softmax';
import { allocPinned, isPinned, kernelBackend } from './kernels/wasm';

type Act = 'sigmoid' | 'relu' | null;

interface Layer {
  lin: Linear;
  act: Act;
  inF: number;
  outF: number;
}

/** Buffers for one batch size: per layer the Linear's output, the activation's, and the gradients. */
interface Buffers {
  M: number;
  /** Linear outputs (logits for the last). */
  z: Float32Array[];
  /** Activation outputs (the next layer's input), for every layer but the last. */
  a: Float32Array[];
  /** Gradient with respect to each Linear's output. */
  gz: Float32Array[];
  /** Gradient with respect to each activation's output, for every layer but the last. */
  ga: Float32Array[];
  /** Each bias's gradient for this batch (the batch sum of gz). */
  gb: Float32Array[];
  logp: Float64Array;
}

/** A float32 array for a buffer: in the kernels' arena (no copies per kernel call), else ordinary. */
function buffer(n: number): Float32Array {
  return allocPinned(n) ?? (allocStorage('float32', n) as Float32Array);
}

function rowMajor(s: Float32Array, rows: number, cols: number, off = 0): Mat {
  return { s, off, rows, cols, s0: cols, s1: 1 };
}

export class FusedMlpStep {
  private bufs: Buffers | null = null;
  private x: Mat | null = null;
  private targets: ArrayLike<number> = [];
  private count = 0;

  private constructor(private readonly layers: Layer[]) {}

  /**
   * The fused step for these modules (a Sequential's children, the loss taken on the last one's output), or null
   * when they are not Linear (with bias, float32, all parameters requiring grad) and Sigmoid/ReLU strictly
   * alternating, ending with a Linear, or when the kernels are JavaScript (whose CSR path the autograd Linear takes).
   */
  static of(modules: readonly Module[]): FusedMlpStep | null {
    if (kernelBackend() !== 'wasm' || modules.length === 0) return null;
    const layers: Layer[] = [];
    for (let i = 0; i < modules.length; i++) {
      const m = modules[i];
      if (m instanceof Linear) {
        const w = m.weight, b = m.bias;
        if (!b || w.dtype !== 'float32' || b.dtype !== 'float32' || !w.requiresGrad || !b.requiresGrad) return null;
        if (!w.isContiguous() || !b.isContiguous() || w.ndim !== 2 || b.ndim !== 1) return null;
        if (layers.length > 0 && layers[layers.length - 1].act === null) return null; // Linear after Linear
        layers.push({ lin: m, act: null, inF: w.shape[1], outF: w.shape[0] });
      } else if (m instanceof Sigmoid || m instanceof ReLU) {
        const last = layers[layers.length - 1];
        if (!last || last.act !== null) return null;
        last.act = m instanceof Sigmoid ? 'sigmoid' : 'relu';
      } else return null;
    }
    if (layers[layers.length - 1].act !== null) return null;
    for (let l = 1; l < layers.length; l++) if (layers[l].inF !== layers[l - 1].outF) return null;
    return new FusedMlpStep(layers);
  }

  private buffersFor(M: number): Buffers {
    if (this.bufs && this.bufs.M === M) return this.bufs;
    const z = this.layers.map((l) => buffer(M * l.outF));
    // Every layer but the last has an activation (FusedMlpStep.of): its output and gradient, per hidden layer.
    const hidden = this.layers.slice(0, -1);
    const a = hidden.map((l) => buffer(M * l.outF));
    const gz = this.layers.map((l) => buffer(M * l.outF));
    const ga = hidden.map((l) => buffer(M * l.outF));
    const gb = this.layers.map((l) => buffer(l.outF));
    const C = this.layers[this.layers.length - 1].outF;
    this.bufs = { M, z, a, gz, ga, gb, logp: new Float64Array(M * C) };
    return this.bufs;
  }

  /**
   * The forward and the loss: `x` [M, inF] float32 (contiguous), `y` the class indices. Returns the loss as
   * `F.cross_entropy(model(x), y).item()` gives it, and the logits (valid until the next call).
   */
  forward(x: Tensor, y: Tensor): { loss: number; logits: Float32Array } {
    const first = this.layers[0];
    if (x.ndim !== 2 || x.shape[1] !== first.inF || x.dtype !== 'float32' || !x.isContiguous()) throw new RangeError(`fused step: expected a float32 batch [B, ${first.inF}]`);
    const M = x.shape[0];
    const b = this.buffersFor(M);
    this.x = null; // until this forward has succeeded: a backward after a failed one is refused
    const X: Mat = { s: x.storage, off: x.offset, rows: M, cols: first.inF, s0: x.strides[0], s1: x.strides[1] };
    let input = X;
    this.layers.forEach((l, i) => {
      const { outF, inF } = l;
      const out = b.z[i];
      // As linear2d: the bias in every row, then x·Wᵀ accumulated onto it.
      // (FusedMlpStep.of took only contiguous float32 biases; a row at a time is a fifth of the element loop's time.)
      const bias = l.lin.bias as Tensor, row = (bias.storage as Float32Array).subarray(bias.offset, bias.offset + outF);
      for (let r = 0; r < M; r++) out.set(row, r * outF);
      const w = l.lin.weight;
      mm2d(input, { s: w.storage, off: w.offset, rows: inF, cols: outF, s0: w.strides[1], s1: w.strides[0] }, out, 0, outF, true, null);
      if (l.act) {
        unaryKernel(l.act === 'sigmoid' ? Un.Sigmoid : Un.Relu, M * outF, b.a[i], out, 0);
        input = rowMajor(b.a[i], M, outF);
      }
    });
    // As F.cross_entropy: log_softmax in float64, then the mean of -logp[target].
    const C = this.layers[this.layers.length - 1].outF;
    const logits = b.z[this.layers.length - 1];
    if (y.numel() !== M) throw new RangeError(`Expected input batch_size (${M}) to match target batch_size (${y.numel()}).`);
    const t = y.isContiguous() && y.offset === 0 ? y.storage : y.toArray();
    softmaxKernel(logits, 0, b.logp, M, C, 1, true);
    let total = 0;
    let count = 0;
    for (let i = 0; i < M; i++) {
      const k = t[i];
      if (k === -100) continue;
      if (!Number.isInteger(k) || k < 0 || k >= C) throw new RangeError(`Target ${k} is out of bounds.`);
      total += -b.logp[i * C + k];
      count++;
    }
    this.targets = t;
    this.count = count;
    this.x = X;
    return { loss: Math.fround(total / count), logits };
  }

  /**
   * The backward of the last forward into each parameter's `.grad`: added to it (as `loss.backward()`), or, with
   * `overwrite`, written over it (as `optimizer.zeroGrad()` then `loss.backward()`, without the zeroing pass).
   */
  backward(overwrite = false): void {
    const b = this.bufs, X = this.x;
    if (!b || !X) throw new Error('fused step: backward before forward');
    const { M } = b;
    const L = this.layers.length;
    const C = this.layers[L - 1].outF;
    // As NllLossBackward0 of cross_entropy: softmax - onehot, each times 1/count.
    const g = b.gz[L - 1];
    g.fill(0);
    const s = 1 / this.count;
    for (let i = 0; i < M; i++) {
      const k = this.targets[i];
      if (k === -100) continue;
      const base = i * C;
      for (let c = 0; c < C; c++) g[base + c] = Math.exp(b.logp[base + c]) * s;
      g[base + k] -= s;
    }
    for (let l = L - 1; l >= 0; l--) {
      const { lin, inF, outF } = this.layers[l];
      const gz = b.gz[l];
      const input = l === 0 ? X : rowMajor(b.a[l - 1], M, inF);
      // As AddmmBackward0: gᵀ·x added into weight.grad, g·W for the input, the batch sum into bias.grad.
      const wg = gradOf(lin.weight);
      mm2d({ s: gz, off: 0, rows: outF, cols: M, s0: 1, s1: outF }, input, wg.storage, wg.offset, inF, !overwrite);
      if (l > 0) {
        const w = lin.weight;
        const prev = this.layers[l - 1];
        const ga = b.ga[l - 1];
        mm2d(rowMajor(gz, M, outF), { s: w.storage, off: w.offset, rows: outF, cols: inF, s0: w.strides[0], s1: w.strides[1] }, ga, 0, inF, false);
        // The activation's backward from its output, into the previous Linear's output gradient.
        (prev.act === 'sigmoid' ? sigmoidBackward : reluBackward)(M * inF, b.gz[l - 1], ga, 0, b.a[l - 1], 0);
      }
      const bias = lin.bias as Tensor;
      const gb = b.gb[l];
      columnSums(gb, gz, 0, M, outF);
      const bg = gradOf(bias);
      const st = bg.storage, o = bg.offset;
      if (overwrite) for (let j = 0; j < outF; j++) st[o + j] = gb[j];
      else for (let j = 0; j < outF; j++) st[o + j] += gb[j];
    }
  }
}

/** The parameter's gradient, created zeroed (in the arena when the parameter is) if it has none. */
function gradOf(p: Tensor): Tensor {
  if (p.grad === null) {
    const n = p.numel();
    const s = (isPinned(p.storage) ? allocPinned(n) : null) ?? allocStorage('float32', n);
    p.grad = new Tensor(s, p.shape, 'float32');
  }
  const g = p.grad;
  if (!g.isContiguous() || g.dtype !== 'float32') throw new Error('fused step: a parameter gradient that is not contiguous float32');
  return g;
}
