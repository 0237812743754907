/**
 * Scoped resource limits for code that runs what a user typed (the tensor inspector): while `withLimits` runs,
 * every storage allocation and every matrix product is charged before it happens, and one that would pass a
 * limit throws a LimitError instead of allocating gigabytes or computing for minutes. Outside `withLimits`
 * nothing is checked (training is bounded by the model file's limits instead).
 */
export interface ComputeLimits {
  /** Elements of any one tensor storage. */
  maxElements: number;
  /** Elements of all storages allocated in the scope together (freed ones included). */
  maxTotalElements: number;
  /** Multiply-adds of all matrix products in the scope together. */
  maxMultiplyAdds: number;
}

export class LimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LimitError';
  }
}

interface Budget extends ComputeLimits {
  elements: number;
  multiplyAdds: number;
}

let budget: Budget | null = null;

const fmt = (n: number): string => n.toLocaleString('en-US');

/** Runs `f` with the limits in force (nested scopes: the inner one applies until it ends). */
export function withLimits<T>(limits: ComputeLimits, f: () => T): T {
  const outer = budget;
  budget = { ...limits, elements: 0, multiplyAdds: 0 };
  try {
    return f();
  } finally {
    budget = outer;
  }
}

/** Charged by allocStorage before a storage of `n` elements exists. */
export function chargeElements(n: number): void {
  if (budget === null) return;
  if (n > budget.maxElements) throw new LimitError(`refusing to allocate a tensor of ${fmt(n)} elements (the limit is ${fmt(budget.maxElements)})`);
  budget.elements += n;
  if (budget.elements > budget.maxTotalElements) throw new LimitError(`refusing to allocate more than ${fmt(budget.maxTotalElements)} elements in all`);
}

/** Charged by the matrix-product kernels before an M×K by K×N product. */
export function chargeMultiplyAdds(n: number): void {
  if (budget === null) return;
  budget.multiplyAdds += n;
  if (budget.multiplyAdds > budget.maxMultiplyAdds) throw new LimitError(`refusing to compute more than ${fmt(budget.maxMultiplyAdds)} multiply-adds (a matrix product this large would take minutes)`);
}
