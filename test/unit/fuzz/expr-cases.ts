/**
 * Random tensor-inspector expressions for the expression fuzzer: grammar-built ones (mostly meaningful, with
 * random sizes, dims, slices and huge numbers), token soup, character-level mutations and deep nesting; and the
 * property every one must satisfy. Runs inside expr.worker.ts, watched from expr.test.ts.
 */
import fc from 'fast-check';
import * as torch from '../../../src/engine';
import { ExpressionError } from '../../../src/engine/expr';
import { MAX_ELEMENTS } from '../../../src/engine/expr/args';

const { nn } = torch;

/** The seed network with a gradient, as the inspector sees it after a training step. */
export function inspectorScope(): Record<string, unknown> {
  torch.manualSeed(0);
  const model = new nn.Sequential([['W1', new nn.Linear(784, 64)], ['act', new nn.Sigmoid()], ['W2', new nn.Linear(64, 10)], ['out', new nn.Softmax(1)]]);
  const x = torch.rand(3, 784);
  nn.functional.crossEntropy(model.get('W2').call(model.get('act').call(model.get('W1').call(x))), torch.tensor([3, 7, 1])).backward();
  return { W1: model.get('W1'), W2: model.get('W2'), act: model.get('act'), model, x };
}

const HUGE = ['10**400', '1e999', '2**53', '2**63', '9' .repeat(40), '-10**400', '10**400-10**400', '1e-400', '0.0', '-0'];
const num: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -4, max: 12 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('0.5', '2.0', '-1.5', '1e-3', '3.') },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 100000 }).map(String) },
);
const dim = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: -3, max: 2 }).map(String) }, { weight: 1, arbitrary: num });
const sliceBound = fc.option(fc.oneof(fc.integer({ min: -70, max: 70 }).map(String), num), { nil: undefined });
const indexItem = fc.oneof(
  dim,
  fc.tuple(sliceBound, sliceBound, fc.option(fc.oneof(fc.integer({ min: -2, max: 4 }).map(String), num), { nil: undefined })).map(([a, b, c]) => `${a ?? ''}:${b ?? ''}${c === undefined ? '' : `:${c}`}`),
  fc.constantFrom('None', '...', ':'),
);
const sizes = fc.array(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 6 }).map(String) }, { weight: 1, arbitrary: num }), { minLength: 1, maxLength: 3 }).map((a) => a.join(', '));

const ATOMS = ['W1.weight', 'W1.bias', 'W2.weight', 'W2.bias', 'W1', 'W2', 'act', 'model', 'x', 'W1.weight.grad', 'W2.bias.grad', 'torch.float64', 'None', 'True', "'mean'", 'model.state_dict()', 'W1.weight.shape'];

/** A grammar of what people type (and what they mistype), `depth` levels deep. */
export const exprArb: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => {
  const e = tie('e');
  return {
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 6, arbitrary: fc.constantFrom(...ATOMS) },
      { weight: 2, arbitrary: num },
      { weight: 2, arbitrary: sizes.map((s) => `torch.${['zeros', 'ones', 'rand', 'randn'][s.length % 4]}(${s})`) },
      { weight: 1, arbitrary: fc.tuple(num, num, num).map(([a, b, c]) => `torch.arange(${a}, ${b}, ${c})`) },
      { weight: 1, arbitrary: fc.tuple(num, num, num).map(([a, b, c]) => `torch.linspace(${a}, ${b}, ${c})`) },
      { weight: 1, arbitrary: fc.tuple(num, fc.option(num, { nil: undefined })).map(([n, m]) => `torch.eye(${n}${m ? `, ${m}` : ''})`) },
      { weight: 1, arbitrary: fc.tuple(num, num, sizes).map(([a, b, s]) => `torch.randint(${a}, ${b}, (${s},))`) },
      { weight: 1, arbitrary: fc.array(num, { maxLength: 5 }).map((a) => `torch.tensor([${a.join(', ')}])`) },
      { weight: 4, arbitrary: fc.tuple(e, fc.array(indexItem, { minLength: 1, maxLength: 3 })).map(([t, items]) => `${t}[${items.join(', ')}]`) },
      { weight: 3, arbitrary: fc.tuple(e, fc.constantFrom('.T', '.shape', '.mT', '.data', '.grad', '.dtype', '.ndim', '.requires_grad', '.grad_fn', '.weight', '.bias', '.in_features', '.foo')).map(([t, a]) => t + a) },
      {
        weight: 4,
        arbitrary: fc.tuple(e, fc.constantFrom('sum', 'mean', 'std', 'var', 'max', 'min', 'argmax', 'softmax', 'log_softmax', 'unsqueeze', 'squeeze', 'flatten', 'transpose', 'size', 'norm'), fc.array(dim, { maxLength: 2 })).map(([t, m, args]) => `${t}.${m}(${args.join(', ')})`),
      },
      { weight: 2, arbitrary: fc.tuple(e, fc.constantFrom('view', 'reshape', 'expand', 'permute'), sizes).map(([t, m, s]) => `${t}.${m}(${s})`) },
      { weight: 2, arbitrary: fc.tuple(e, fc.constantFrom('item', 'tolist', 'numel', 'dim', 't', 'contiguous', 'clone', 'detach', 'float', 'double', 'long', 'abs', 'exp', 'log', 'sqrt', 'sigmoid', 'tanh', 'relu', 'neg')).map(([t, m]) => `${t}.${m}()`) },
      { weight: 1, arbitrary: fc.tuple(e, num, num).map(([t, a, b]) => `${t}.clamp(min=${a}, max=${b})`) },
      { weight: 1, arbitrary: fc.tuple(e).map(([t]) => `${t}.to(torch.float64)`) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom('torch.sigmoid', 'torch.relu', 'F.softmax', 'F.log_softmax', 'torch.exp', 'torch.sum', 'torch.argmax', 'len', 'model', 'W1', 'W2', 'act', 'torch.Size'), e, fc.option(dim, { nil: undefined })).map(([f, a, d]) => `${f}(${a}${d === undefined ? '' : f.startsWith('F.') ? `, dim=${d}` : `, ${d}`})`) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom('torch.cat', 'torch.stack'), e, e, fc.option(dim, { nil: undefined })).map(([f, a, b, d]) => `${f}((${a}, ${b})${d === undefined ? '' : `, ${d}`})`) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('F.cross_entropy', 'F.nll_loss', 'F.mse_loss', 'torch.matmul', 'torch.maximum', 'F.linear'), e, e).map(([f, a, b]) => `${f}(${a}, ${b})`) },
      { weight: 4, arbitrary: fc.tuple(e, fc.constantFrom('+', '-', '*', '/', '@', '**', '//', '%', '==', '<', '>=', '!='), e).map(([a, op, b]) => `${a} ${op} ${b}`) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('-', '+', '~', 'not '), e).map(([op, a]) => `${op}${a}`) },
      { weight: 1, arbitrary: e.map((a) => `(${a})`) },
      { weight: 1, arbitrary: fc.array(e, { maxLength: 3 }).map((a) => `[${a.join(', ')}]`) },
      { weight: 1, arbitrary: fc.array(e, { maxLength: 3 }).map((a) => `(${a.join(', ')},)`) },
    ),
  };
}).e;

const SOUP = ['W1', 'W2', 'model', 'weight', 'bias', 'torch', 'F', '.', ',', ':', '::', '[', ']', '(', ')', '+', '-', '*', '**', '/', '//', '@', '%', '=', '==', '~', '&', '|', '...', 'None', 'True', '0', '1', '-1', '2.5', '1e999', '10**400', "'", '"', "'a'", 'ones', 'view', 'T', 'shape', ' ', '\n', '\t', '😀', '\u0000', '\u202E', 'ä', '#', '$', '\\', 'lambda', 'import', '__class__', '__proto__', 'constructor', 'prototype'];
export const soupArb: fc.Arbitrary<string> = fc.array(fc.constantFrom(...SOUP), { maxLength: 40 }).map((t) => t.join(''));

/** Character-level edits of a grammar expression: as if typed half-way, or with a slip of the finger. */
export const mutatedArb: fc.Arbitrary<string> = fc
  .tuple(exprArb, fc.array(fc.record({ at: fc.nat(), kind: fc.constantFrom('delete', 'insert', 'cut', 'double'), ch: fc.constantFrom(...SOUP) }), { minLength: 1, maxLength: 4 }))
  .map(([s, ms]) =>
    ms.reduce((t, m) => {
      const at = t.length ? m.at % (t.length + 1) : 0;
      if (m.kind === 'delete') return t.slice(0, at) + t.slice(at + 1);
      if (m.kind === 'insert') return t.slice(0, at) + m.ch + t.slice(at);
      if (m.kind === 'cut') return t.slice(0, at);
      return t.slice(0, at) + t.slice(at, at + 5) + t.slice(at);
    }, s),
  );

/** Deep nesting and very long input, up to and past the limits (2,000 characters, 64 levels). */
export function deepCases(): string[] {
  const out: string[] = [];
  for (const n of [10, 63, 64, 65, 100, 500, 999, 1500]) {
    out.push('('.repeat(n) + 'W1.weight' + ')'.repeat(n), '['.repeat(n) + '1' + ']'.repeat(n), '-'.repeat(n) + '1', '~'.repeat(n) + 'True');
    out.push('W1.weight' + '.T'.repeat(n), 'W1.weight' + '[0]'.repeat(Math.min(n, 2)) + '[:]'.repeat(n), '1' + '+1'.repeat(n), '2' + '**2'.repeat(n), 'x' + '.sum(0)'.repeat(n));
    out.push('torch.sigmoid('.repeat(n) + 'x' + ')'.repeat(n), 'W1.weight' + '.view(-1)'.repeat(n), '(' + 'W1.weight, '.repeat(n) + ')', 'torch.cat((' + 'x, '.repeat(n) + '))');
  }
  out.push('x'.repeat(2000), 'x'.repeat(2001), '9'.repeat(2000), '1e' + '9'.repeat(1998), "'" + 'a'.repeat(1998) + "'", ' '.repeat(1999) + 'x', '');
  return out;
}

/** Messages of JavaScript's own errors: one reaching the user means a bug was turned into an "error message". */
const JS_INTERNALS = /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not a constructor|Invalid typed array length|Invalid array length|Maximum call stack|Cannot convert|Cannot mix BigInt|undefined|\bNaN\b|Invalid string length|Array buffer allocation failed/;

export interface Outcome {
  ok: boolean;
  /** The printed result, or the error's message. */
  text: string;
}

/**
 * The property: a result (printed, and any tensor within the element limit) or an ExpressionError with a
 * message; anything else escaping is a failure.
 */
export function evaluateChecked(expr: string, scope: Record<string, unknown>): Outcome {
  let r: torch.ExpressionResult;
  try {
    r = torch.evaluateExpression(expr, scope);
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw new Error(`${JSON.stringify(expr)}: escaped ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
    if (typeof e.message !== 'string' || e.message.trim() === '') throw new Error(`${JSON.stringify(expr)}: an ExpressionError without a message`);
    if (JS_INTERNALS.test(e.message)) throw new Error(`${JSON.stringify(expr)}: a JavaScript error passed on as the message: ${e.message}`);
    return { ok: false, text: e.message };
  }
  if (typeof r.text !== 'string') throw new Error(`${JSON.stringify(expr)}: no printed result`);
  if (r.tensor && r.tensor.numel() > MAX_ELEMENTS) throw new Error(`${JSON.stringify(expr)}: a result of ${r.tensor.numel()} elements`);
  if (r.tensor && !/^(tensor\(|Parameter containing:\ntensor\()/.test(r.text)) throw new Error(`${JSON.stringify(expr)}: a tensor printed as ${r.text.slice(0, 80)}`);
  return { ok: true, text: r.text };
}
