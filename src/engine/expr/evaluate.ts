/**
 * Evaluates what a user types in the tensor inspector — `W1.weight[:2, :3]`, `W1.weight.shape`,
 * `W1.weight[3].view(28, 28)`, `torch.sigmoid(W2.bias)`, `W1.weight.grad` — and prints the result as PyTorch
 * would. Errors are ExpressionErrors with a clear message; nothing else escapes.
 */
import { Tensor } from '../tensor';
import { Size } from '../shape';
import { Module } from '../nn/module';
import { Sequential } from '../nn/layers';
import * as E from '../ops/elementwise';
import { matmul } from '../ops/linalg';
import { Slice, IndexItem, Ellipsis, indexTensor } from '../ops/indexing';
import { ExpressionError } from './lexer';
import { Node, parseExpression } from './parser';
import { INSPECTOR_LIMITS, toInt, toNum } from './args';
import { withLimits } from '../limits';
import { tensorAttr } from './tensor-methods';
import { makeFunctional, makeTorch } from './torch-ns';
import { DTypeValue, Fn, NamedTuple, Namespace, OrderedDict, PyNum, Seq, Value, repr, typeName } from './values';

export { ExpressionError };

export interface EvalResult {
  /** Python's repr of the value (PyTorch's print for tensors). */
  text: string;
  /** The value when it is a tensor (for heatmaps). */
  tensor?: Tensor;
  value: Value;
}

/** Wraps a plain JS scope value (numbers, tensors, modules) as an expression value. */
export function toValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return new PyNum(v, Number.isInteger(v));
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof Tensor || v instanceof Module || v instanceof Size || v instanceof PyNum || v instanceof Seq || v instanceof Fn || v instanceof Namespace) return v;
  if (Array.isArray(v)) return new Seq(v.map(toValue), false);
  throw new ExpressionError(`unsupported value in scope: ${typeof v}`);
}

/** Evaluates `expression` with `scope` (names → tensors, modules, numbers); `torch` and `F` are always there. */
export function evaluate(expression: string, scope: Record<string, unknown> = {}): EvalResult {
  try {
    const env = new Map<string, Value>();
    const torch = makeTorch();
    env.set('torch', torch);
    env.set('F', makeFunctional());
    env.set('len', new Fn('len', (args) => new PyNum(lengthOf(args[0]), true)));
    for (const [k, v] of Object.entries(scope)) env.set(k, toValue(v));
    // What the user typed may ask for anything: the engine refuses what would exhaust memory or time.
    return withLimits(INSPECTOR_LIMITS, () => {
      const value = new Evaluator(env).eval(parseExpression(expression));
      return { text: repr(value), tensor: value instanceof Tensor ? value : undefined, value };
    });
  } catch (e) {
    if (e instanceof ExpressionError) throw e;
    // Engine errors (shape mismatches, out-of-range indices) carry PyTorch's wording: pass the message on.
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof RangeError && /call stack/i.test(msg)) throw new ExpressionError('expression too deeply nested');
    throw new ExpressionError(msg);
  }
}

function lengthOf(v: Value | undefined): number {
  if (v instanceof Tensor) {
    if (v.ndim === 0) throw new ExpressionError('len() of a 0-d tensor');
    return v.shape[0];
  }
  if (v instanceof Seq) return v.items.length;
  if (v instanceof Size) return v.length;
  if (v instanceof Sequential) return v.length;
  if (typeof v === 'string') return v.length;
  throw new ExpressionError(`object of type '${v === undefined ? 'NoneType' : typeName(v)}' has no len()`);
}

class Evaluator {
  constructor(private readonly env: Map<string, Value>) {}

  eval(n: Node): Value {
    switch (n.kind) {
      case 'num': return n.isInt ? exactInt(n.value, n.pos) : new PyNum(n.value, false);
      case 'str': return n.value;
      case 'name': return this.name(n.name, n.pos);
      case 'attr': return attribute(this.eval(n.target), n.name, n.pos);
      case 'call': {
        const f = this.eval(n.target);
        const args = n.args.map((a) => this.eval(a));
        const kw = new Map(n.kwargs.map(([k, v]) => [k, this.eval(v)] as [string, Value]));
        if (f instanceof Fn) return f.call(args, kw);
        if (f instanceof Module) {
          if (args.length !== 1 || kw.size) throw new ExpressionError(`${f.typeName}.forward() takes one tensor`, n.pos);
          if (!(args[0] instanceof Tensor)) throw new ExpressionError(`${f.typeName}.forward() expects a Tensor, not ${typeName(args[0])}`, n.pos);
          return f.call(args[0]);
        }
        throw new ExpressionError(`'${typeName(f)}' object is not callable`, n.pos);
      }
      case 'index': return this.subscript(this.eval(n.target), n);
      case 'unary': return unaryOp(n.op, this.eval(n.operand), n.pos);
      case 'binary': return binaryOp(n.op, this.eval(n.left), this.eval(n.right), n.pos);
      case 'list': return new Seq(n.items.map((i) => this.eval(i)), n.tuple);
    }
  }

  private name(name: string, pos: number): Value {
    if (name === 'None') return null;
    if (name === 'True') return true;
    if (name === 'False') return false;
    if (this.env.has(name)) return this.env.get(name) as Value;
    const known = [...this.env.keys()].filter((k) => !['torch', 'F', 'len'].includes(k));
    throw new ExpressionError(`name '${name}' is not defined${known.length ? ` (defined: ${known.join(', ')}, torch, F)` : ''}`, pos);
  }

  private subscript(target: Value, n: Extract<Node, { kind: 'index' }>): Value {
    if (target instanceof Tensor) {
      const items: IndexItem[] = n.items.map((it) => {
        if (it.kind === 'ellipsis') return Ellipsis;
        if (it.kind === 'slice') {
          const b = (x: Node | null) => (x === null ? null : this.eval(x));
          const num = (v: Value, what: string) => (v === null ? null : toInt(v, `slice ${what}`));
          return new Slice(num(b(it.start), 'start'), num(b(it.stop), 'stop'), num(b(it.step), 'step'));
        }
        const v = this.eval(it.node);
        if (v === null) return null;
        if (v instanceof Tensor || v instanceof Seq) {
          throw new ExpressionError('advanced indexing with lists or tensors is not supported; use integers, slices, None and ...', n.pos);
        }
        return toInt(v, 'index');
      });
      return indexTensor(target, items, n.tuple);
    }
    if (n.tuple || n.items.length !== 1 || n.items[0].kind !== 'expr') {
      if (target instanceof Seq || target instanceof Size) {
        const it = n.items[0];
        if (!n.tuple && it.kind === 'slice') {
          const arr = target instanceof Seq ? target.items : target.slice().map((d) => new PyNum(d, true));
          const b = (x: Node | null) => (x === null ? null : toInt(this.eval(x), 'slice'));
          const step = b(it.step) ?? 1;
          if (step <= 0) throw new ExpressionError('only positive slice steps are supported here', n.pos);
          const len = arr.length;
          const norm = (v: number | null, d: number) => (v === null ? d : v < 0 ? Math.max(0, v + len) : Math.min(v, len));
          const out: Value[] = [];
          for (let i = norm(b(it.start), 0); i < norm(b(it.stop), len); i += step) out.push(arr[i]);
          return target instanceof Size ? Size.make(out.map((x) => (x as PyNum).value)) : new Seq(out, target.tuple);
        }
      }
      throw new ExpressionError(`'${typeName(target)}' object does not support this subscript`, n.pos);
    }
    const key = this.eval(n.items[0].node);
    if (target instanceof Sequential) {
      if (typeof key === 'string') return target.get(key);
      return target.get(toInt(key, 'index'));
    }
    const seq = target instanceof Size ? target.slice().map((d) => new PyNum(d, true)) : target instanceof Seq ? target.items : null;
    if (seq) {
      let i = toInt(key, 'index');
      if (i < -seq.length || i >= seq.length) throw new ExpressionError(`${typeName(target)} index out of range`, n.pos);
      if (i < 0) i += seq.length;
      return seq[i];
    }
    if (target instanceof OrderedDict) {
      const hit = target.entries.find(([k]) => k === key);
      if (!hit) throw new ExpressionError(`KeyError: ${repr(key)}`, n.pos);
      return hit[1];
    }
    if (target instanceof NamedTuple) return target.fields[toInt(key, 'index')]?.[1] ?? null;
    throw new ExpressionError(`'${typeName(target)}' object is not subscriptable`, n.pos);
  }
}

function attribute(v: Value, name: string, pos: number): Value {
  if (v instanceof Tensor) return tensorAttr(v, name);
  if (v instanceof Namespace) {
    if (name in v.members) return v.members[name];
    throw new ExpressionError(`module '${v.name}' has no attribute '${name}'`, pos);
  }
  if (v instanceof Module) return moduleAttr(v, name, pos);
  if (v instanceof NamedTuple) {
    const hit = v.fields.find(([k]) => k === name);
    if (hit) return hit[1];
  }
  if (v instanceof Size && name === 'numel') return new Fn('numel', () => new PyNum(v.numel(), true));
  throw new ExpressionError(`'${typeName(v)}' object has no attribute '${name}'`, pos);
}

function moduleAttr(m: Module, name: string, pos: number): Value {
  const p = m.getParameter(name);
  if (p !== null) return p;
  const child = m.namedChildren().find(([k]) => k === name);
  if (child) return child[1];
  const rec = m as unknown as Record<string, unknown>;
  switch (name) {
    case 'in_features': return new PyNum(rec.inFeatures as number, true);
    case 'out_features': return new PyNum(rec.outFeatures as number, true);
    case 'bias': return null;
    case 'training': return m.training;
    case 'dim': if (typeof rec.dim === 'number') return new PyNum(rec.dim, true); break;
    case 'p': if (typeof rec.p === 'number') return new PyNum(rec.p, false); break;
    case 'parameters': return new Fn('parameters', () => new Seq(m.parameters(), false));
    case 'named_parameters': return new Fn('named_parameters', () => new Seq(m.namedParameters().map(([k, t]) => new Seq([k, t], true)), false));
    case 'state_dict': return new Fn('state_dict', () => new OrderedDict([...m.stateDict()]));
    case 'forward': return new Fn('forward', (args) => m.call(args[0] as Tensor));
  }
  throw new ExpressionError(`'${m.typeName}' object has no attribute '${name}'`, pos);
}

function unaryOp(op: string, v: Value, pos: number): Value {
  if (op === '+') {
    if (v instanceof Tensor || v instanceof PyNum) return v;
  } else if (op === '-') {
    if (v instanceof Tensor) return E.neg(v);
    if (v instanceof PyNum) return new PyNum(-v.value, v.isInt);
    if (typeof v === 'boolean') return new PyNum(v ? -1 : 0, true);
  } else if (op === '~' && v instanceof Tensor && v.dtype === 'bool') {
    return E.compare(v, 0, 'eq');
  }
  throw new ExpressionError(`bad operand type for unary ${op}: '${typeName(v)}'`, pos);
}

/**
 * A Python int. Python's are unbounded; ours are doubles, exact up to 2**53 - 1: past that (10**400, 2**64) the
 * value would silently be wrong (10**400 - 10**400 would not be 0), so it is an error instead.
 */
function exactInt(v: number, pos: number): PyNum {
  if (!Number.isSafeInteger(v)) throw new ExpressionError(`integer ${Number.isFinite(v) ? v.toLocaleString('en-US') : 'result'} is too large: the inspector's integers are exact up to 2**53 - 1`, pos);
  return new PyNum(v, true);
}

function pyArith(op: string, a: PyNum, b: PyNum, pos: number): Value {
  const r = pyArithRaw(op, a, b, pos);
  return r instanceof PyNum && r.isInt ? exactInt(r.value, pos) : r;
}

function pyArithRaw(op: string, a: PyNum, b: PyNum, pos: number): Value {
  const x = a.value, y = b.value;
  const ints = a.isInt && b.isInt;
  switch (op) {
    case '+': return new PyNum(x + y, ints);
    case '-': return new PyNum(x - y, ints);
    case '*': return new PyNum(x * y, ints);
    case '/':
      if (y === 0) throw new ExpressionError('division by zero', pos);
      return new PyNum(x / y, false);
    case '//':
      if (y === 0) throw new ExpressionError('integer division or modulo by zero', pos);
      return new PyNum(Math.floor(x / y), ints);
    case '%':
      if (y === 0) throw new ExpressionError('integer division or modulo by zero', pos);
      return new PyNum(x - y * Math.floor(x / y), ints);
    case '**': return new PyNum(x ** y, ints && y >= 0);
    case '==': return x === y;
    case '!=': return x !== y;
    case '<': return x < y;
    case '>': return x > y;
    case '<=': return x <= y;
    case '>=': return x >= y;
  }
  throw new ExpressionError(`unsupported operand type(s) for ${op}: 'int' and 'int'`, pos);
}

const CMP: Record<string, 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };

function binaryOp(op: string, a: Value, b: Value, pos: number): Value {
  const num = (v: Value) => (typeof v === 'boolean' ? new PyNum(v ? 1 : 0, true) : v);
  a = num(a);
  b = num(b);
  if (a instanceof PyNum && b instanceof PyNum) return pyArith(op, a, b, pos);
  if (a instanceof Tensor || b instanceof Tensor) {
    if (op === '//' || op === '%') throw new ExpressionError(`operator ${op} is not supported on tensors in the inspector`, pos);
    if (a instanceof Tensor) {
      if (op === '@') {
        if (!(b instanceof Tensor)) throw new ExpressionError(`unsupported operand type(s) for @: 'Tensor' and '${typeName(b)}'`, pos);
        return matmul(a, b);
      }
      const o = b instanceof Tensor ? b : toNum(b, `right operand of ${op}`);
      switch (op) {
        case '+': return E.add(a, o);
        case '-': return E.sub(a, o);
        case '*': return E.mul(a, o);
        case '/': return E.div(a, o);
        case '**': return E.pow(a, o);
      }
      if (op in CMP) return E.compare(a, o, CMP[op]);
    } else {
      const s = toNum(a, `left operand of ${op}`);
      const t = b as Tensor;
      switch (op) {
        case '+': return E.add(t, s);
        case '-': return E.rsub(t, s);
        case '*': return E.mul(t, s);
        case '/': return E.mul(E.reciprocal(t), s);
        case '**': return E.rpow(s, t);
      }
      if (op in CMP) return E.compare(t, s, CMP[FLIP[op]]);
    }
  }
  if ((a instanceof Seq || a instanceof Size) && op === '==' ) return repr(a) === repr(b);
  if (a instanceof DTypeValue && b instanceof DTypeValue && (op === '==' || op === '!=')) return (a.dtype === b.dtype) === (op === '==');
  throw new ExpressionError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`, pos);
}
