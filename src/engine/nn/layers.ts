/** nn layers: Linear, Sequential, Sigmoid, ReLU, Tanh, Softmax, LogSoftmax, Flatten, Dropout. */
import { Tensor } from '../tensor';
import { noGrad } from '../autograd';
import { allocParameterStorage, allocStorage } from '../dtype';
import { Generator, defaultGenerator } from '../random';
import { pyRepr } from '../print';
import { Module, Parameter } from './module';
import * as F from './functional';

export type InitScheme = 'pytorch' | 'scaled-normal';

export interface LinearOptions {
  bias?: boolean;
  /** 'pytorch' (default): U(-1/√in, 1/√in) as nn.Linear; 'scaled-normal': randn/√in weights, zero bias. */
  init?: InitScheme;
  generator?: Generator;
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions | boolean = {}) {
    super();
    const o: LinearOptions = typeof opts === 'boolean' ? { bias: opts } : opts;
    for (const [n, v] of [['in_features', inFeatures], ['out_features', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`Linear: ${n} must be a non-negative integer, got ${v}`);
    }
    this.weight = Parameter(new Tensor(allocParameterStorage('float32', outFeatures * inFeatures), [outFeatures, inFeatures]));
    this.bias = o.bias === false ? null : Parameter(new Tensor(allocStorage('float32', outFeatures), [outFeatures]));
    this.registerParameter('weight', this.weight);
    this.registerParameter('bias', this.bias);
    this.resetParameters(o.init ?? 'pytorch', o.generator ?? defaultGenerator);
  }

  /** Re-draws the weights: PyTorch's reset_parameters (kaiming_uniform_(a=√5), then the bias), or randn/√in. */
  resetParameters(scheme: InitScheme = 'pytorch', g: Generator = defaultGenerator): void {
    const fanIn = this.inFeatures;
    const w = this.weight.storage;
    noGrad(() => {
      if (scheme === 'scaled-normal') {
        g.fillNormal(w, 0, 1, true);
        const s = fanIn > 0 ? Math.fround(Math.sqrt(fanIn)) : 1;
        for (let i = 0; i < w.length; i++) w[i] = w[i] / s;
        if (this.bias) this.bias.storage.fill(0);
        return;
      }
      // torch.nn.init.kaiming_uniform_(w, a=math.sqrt(5)): gain = sqrt(2 / (1 + a^2)), bound = sqrt(3) * gain / sqrt(fan_in)
      const gain = Math.sqrt(2.0 / (1 + Math.sqrt(5) ** 2));
      const bound = fanIn > 0 ? Math.sqrt(3.0) * (gain / Math.sqrt(fanIn)) : 0;
      if (fanIn === 0) {
        // PyTorch warns "Initializing zero-element tensors is a no-op".
      } else for (let i = 0; i < w.length; i++) w[i] = g.uniformFloat(-bound, bound);
      if (this.bias) {
        const b = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        const bs = this.bias.storage;
        for (let i = 0; i < bs.length; i++) bs[i] = g.uniformFloat(-b, b);
      }
    });
  }

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? 'True' : 'False'}`;
  }
}

/** nn.Sequential(a, b, c) (children named 0, 1, 2) or nn.Sequential([['W1', a], ...]) (an OrderedDict). */
export class Sequential extends Module {
  private readonly order: [string, Module][] = [];

  constructor(...mods: Module[] | [readonly (readonly [string, Module])[]]) {
    super();
    const pairs: (readonly [string, Module])[] =
      mods.length === 1 && Array.isArray(mods[0]) ? (mods[0] as (readonly [string, Module])[]) : (mods as Module[]).map((m, i) => [String(i), m] as const);
    const names = new Set<string>();
    for (const [name, m] of pairs) {
      if (names.has(name)) throw new RangeError(`Sequential: duplicate module name "${name}"`);
      names.add(name);
      this.registerModule(name, m);
      this.order.push([name, m]);
    }
  }

  get length(): number {
    return this.order.length;
  }

  /** seq[i] (negative from the end) or seq.name. */
  get(key: number | string): Module {
    if (typeof key === 'number') {
      const n = this.order.length;
      if (!Number.isInteger(key) || key < -n || key >= n) throw new RangeError(`index ${key} is out of range`);
      return this.order[key < 0 ? key + n : key][1];
    }
    const hit = this.order.find(([n]) => n === key);
    if (!hit) throw new RangeError(`'Sequential' object has no attribute '${key}'`);
    return hit[1];
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const [, m] of this.order) h = m.forward(h);
    return h;
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

export class Dropout extends Module {
  constructor(readonly p = 0.5, readonly generator: Generator = defaultGenerator) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training, this.generator);
  }
  override extraRepr(): string {
    return `p=${pyRepr(this.p)}, inplace=False`;
  }
}
