/**
 * Reverse-mode autograd: each op that sees an input requiring grad records a Node (named as PyTorch names
 * its grad_fn) holding its inputs and a backward closure. `backward` walks the graph in reverse topological
 * order and accumulates into leaf `.grad`s.
 */
import type { Tensor } from './tensor';

export type BackwardFn = (grad: Tensor) => (Tensor | null)[];

export class Node {
  private released = false;
  constructor(
    /** PyTorch's grad_fn class name, e.g. `AddmmBackward0`. */
    readonly name: string,
    /** Inputs that require grad (null where the input does not). */
    readonly inputs: readonly (Tensor | null)[],
    private fn: BackwardFn | null,
  ) {}

  apply(grad: Tensor): (Tensor | null)[] {
    if (this.released || this.fn === null) {
      throw new Error(
        'Trying to backward through the graph a second time (or directly access saved tensors after they have ' +
          'already been freed). Saved intermediate values of the graph are freed when you call .backward() or ' +
          'autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time.',
      );
    }
    return this.fn(grad);
  }

  release(): void {
    this.released = true;
    this.fn = null;
  }

  /** Like grad_fn.next_functions: the node (or `AccumulateGrad` for a leaf) behind each input. */
  get nextFunctions(): (string | null)[] {
    return this.inputs.map((t) => (t === null ? null : t.gradFn ? t.gradFn.name : 'AccumulateGrad'));
  }

  toString(): string {
    return `<${this.name}>`;
  }
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export function setGradEnabled(enabled: boolean): void {
  gradEnabled = enabled;
}

/** `with torch.no_grad():` */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** `with torch.enable_grad():` */
export function enableGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** True when an op on these inputs must record a graph node. */
export function needsGrad(a: Tensor, b?: Tensor | null, c?: Tensor | null): boolean {
  return gradEnabled && (a.requiresGrad || (b != null && b.requiresGrad) || (c != null && c.requiresGrad));
}

/** Attaches a grad_fn to `out` when any input requires grad and grad mode is on. */
export function record(out: Tensor, name: string, inputs: readonly (Tensor | null)[], fn: BackwardFn): Tensor {
  if (!gradEnabled) return out;
  let any = false;
  for (const t of inputs) if (t !== null && t.requiresGrad) any = true;
  if (!any) return out;
  out.requiresGrad = true;
  out.gradFn = new Node(name, inputs.map((t) => (t !== null && t.requiresGrad ? t : null)), fn);
  return out;
}

export interface BackwardOptions {
  retainGraph?: boolean;
}

/**
 * tensor.backward(gradient) from `root` seeded with `seed`. `add` sums two gradients; `accumulate(t, g)` adds g
 * into t.grad (a fresh copy when t.grad is null). Both are passed in to keep this file free of ops.
 */
export function runBackward(
  root: Tensor,
  seed: Tensor,
  add: (a: Tensor, b: Tensor) => Tensor,
  accumulate: (t: Tensor, g: Tensor, owned: Set<unknown>) => void,
  opts: BackwardOptions = {},
): void {
  if (!root.requiresGrad) {
    throw new Error('element 0 of tensors does not require grad and does not have a grad_fn');
  }
  // Topological order over tensors (each non-leaf has exactly one grad_fn).
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.gradFn ? t.gradFn.inputs : [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const inp = inputs[i];
      if (inp !== null && !seen.has(inp)) {
        seen.add(inp);
        stack.push([inp, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, seed);
  // Storages already handed to a leaf's .grad (or owned by the caller's seed): never handed out twice.
  const owned = new Set<unknown>([seed.storage]);
  noGradRun(() => {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      if (t.gradFn === null || t.retainsGrad) {
        accumulate(t, g, owned);
        if (t.gradFn === null) continue;
      }
      const node = t.gradFn;
      const inGrads = node.apply(g);
      if (!opts.retainGraph) node.release();
      for (let j = 0; j < node.inputs.length; j++) {
        const inp = node.inputs[j];
        const ig = inGrads[j];
        if (inp === null || ig === null || ig === undefined) continue;
        const prev = grads.get(inp);
        grads.set(inp, prev === undefined ? ig : add(prev, ig));
      }
    }
  });
}

function noGradRun(fn: () => void): void {
  noGrad(fn);
}
