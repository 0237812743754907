/** nn.Module: parameters, submodules, state_dict with PyTorch's keys, train/eval, and PyTorch's repr. */
import { Tensor } from '../tensor';
import { noGrad } from '../autograd';
import { sameShape } from '../shape';

/** torch.nn.Parameter: a leaf that requires grad and prints as `Parameter containing:`. */
export function Parameter(t: Tensor, requiresGrad = true): Tensor {
  const p = t.detach();
  p.requiresGrad = requiresGrad;
  p.isParameter = true;
  return p;
}

export type StateDict = Map<string, Tensor>;

export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly children_ = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** `module(x)`: runs forward. */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  /** The class name PyTorch prints (`Linear`, `Sequential`, ...). */
  get typeName(): string {
    return this.constructor.name;
  }

  protected registerParameter(name: string, t: Tensor | null): void {
    this.params.set(name, t);
  }
  protected registerModule(name: string, m: Module): void {
    if (name.includes('.')) throw new RangeError(`module name can't contain ".", got: ${name}`);
    if (name === '') throw new RangeError('module name can\'t be empty string ""');
    this.children_.set(name, m);
  }

  getParameter(name: string): Tensor | null {
    return this.params.get(name) ?? null;
  }
  setParameter(name: string, t: Tensor): void {
    if (!this.params.has(name)) throw new RangeError(`${this.typeName} has no parameter "${name}"`);
    this.params.set(name, t);
  }

  namedChildren(): [string, Module][] {
    return [...this.children_.entries()];
  }
  children(): Module[] {
    return [...this.children_.values()];
  }

  /** (name, module) pairs, this module first, with dotted names. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, m] of this.children_) out.push(...m.namedModules(prefix ? `${prefix}.${n}` : n));
    return out;
  }

  /** (key, parameter) pairs with state_dict keys: `W1.weight`, `0.bias`, ... */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [mp, m] of this.namedModules(prefix)) {
      for (const [n, p] of m.params) {
        if (p === null || seen.has(p)) continue;
        seen.add(p);
        out.push([mp ? `${mp}.${n}` : n, p]);
      }
    }
    return out;
  }
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** An ordered map of detached tensors sharing the parameters' storage, as `state_dict()` returns. */
  stateDict(): StateDict {
    const sd: StateDict = new Map();
    for (const [k, p] of this.namedParameters()) sd.set(k, p.detach());
    return sd;
  }

  /** Copies values in (under no_grad); with `strict`, missing/unexpected keys are an error, as in PyTorch. */
  loadStateDict(sd: StateDict | Record<string, Tensor>, strict = true): { missingKeys: string[]; unexpectedKeys: string[] } {
    const src = sd instanceof Map ? sd : new Map(Object.entries(sd));
    const own = new Map(this.namedParameters());
    const missing = [...own.keys()].filter((k) => !src.has(k));
    const unexpected = [...src.keys()].filter((k) => !own.has(k));
    const errors: string[] = [];
    for (const [k, p] of own) {
      const v = src.get(k);
      if (v && !sameShape(v.shape, p.shape)) {
        errors.push(
          `size mismatch for ${k}: copying a param with shape ${v.shape} from checkpoint, the shape in current model is ${p.shape}.`,
        );
      }
    }
    if (strict) {
      if (unexpected.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(', ')}. `);
      if (missing.length) errors.unshift(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(', ')}. `);
    }
    if (errors.length) {
      throw new Error(`Error(s) in loading state_dict for ${this.typeName}:\n\t${errors.join('\n\t')}`);
    }
    noGrad(() => {
      for (const [k, p] of own) {
        const v = src.get(k);
        if (v) p.copy_(v.dtype === p.dtype ? v : v.to(p.dtype));
      }
    });
    return { missingKeys: missing, unexpectedKeys: unexpected };
  }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  /** optimizer-style zero_grad; 1.13's default keeps the tensors and zeroes them. */
  zeroGrad(setToNone = false): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else noGrad(() => (p.grad as Tensor).zero_());
    }
  }

  /** The one-line description inside the parentheses (`in_features=784, out_features=64, bias=True`). */
  extraRepr(): string {
    return '';
  }

  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = [...this.children_].map(([k, m]) => `(${k}): ${addIndent(m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let main = this.typeName + '(';
    if (lines.length) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += '\n  ' + lines.join('\n  ') + '\n';
    }
    return main + ')';
  }
}

function addIndent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  const first = lines.shift() as string;
  return first + '\n' + lines.map((l) => ' '.repeat(n) + l).join('\n');
}
