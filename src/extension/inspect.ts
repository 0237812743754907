/**
 * "Inspect Tensor...": evaluates what a user types (`W1.weight[:2, :3]`, `W2.bias`, `W1.weight.grad`) against the
 * model's current weights with the engine's expression evaluator, printed as PyTorch prints it.
 */
import type * as torch from '../engine';
import { evaluate } from '../engine/expr';
import type { TensorPayload } from '../protocol';
import { fromPayload, toPayload, type ModelState } from './state';

/** Names → modules (`W1`, `W2`, ..., `model`), with the latest gradients attached to the parameters. */
export function scopeOf(state: ModelState): Record<string, unknown> {
  const model = state.model;
  if (!model) throw new Error('the model file has errors: fix them to inspect its tensors');
  const grads = new Map((state.grads ?? []).map((g) => [g.name, g] as const));
  for (const [k, p] of model.namedParameters()) {
    const g = grads.get(k);
    if (g) p.grad = fromPayload(g);
  }
  const scope: Record<string, unknown> = { model };
  for (const [name, m] of model.namedChildren()) if (/^[A-Za-z_]\w*$/.test(name)) scope[name] = m;
  return scope;
}

export interface InspectResult {
  text: string;
  tensor?: TensorPayload;
}

/** The printed result, and the tensor itself when it is 1-D or 2-D (the views draw it). */
export function inspectExpression(state: ModelState, expression: string): InspectResult {
  const r = evaluate(expression, scopeOf(state));
  const t: torch.Tensor | undefined = r.tensor;
  const drawable = t && (t.ndim === 1 || t.ndim === 2) && t.numel() > 0 && t.numel() <= 4_000_000 && t.dtype !== 'bool';
  return { text: r.text, ...(drawable && t ? { tensor: toPayload(expression, t) } : {}) };
}
