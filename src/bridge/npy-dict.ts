/**
 * `np.save(file, {name: array, ...})` writes a 0-d object array whose data is a pickle of the dict. This reads that
 * pickle with a small stack machine that knows only what numpy writes for a dict of numeric arrays: it calls
 * nothing but `_reconstruct`, `ndarray` and `dtype`, so unlike `pickle.load` it never runs code from the file.
 * Anything else in the pickle (a torch tensor, another class) is an Error saying what it found.
 */
import type * as torch from '../engine';
import { bytesToTensor, fileItemSize, type FileDType } from '../data/bytes';

interface Global {
  kind: 'global';
  name: string;
}
interface DTypeObj {
  kind: 'dtype';
  code: string;
  order: string;
}
interface ArrayObj {
  kind: 'ndarray';
  shape: number[];
  dtype: DTypeObj | null;
  fortran: boolean;
  data: Uint8Array | Value[] | null;
}
type Value = null | boolean | number | string | Uint8Array | Value[] | Tuple | Map<Value, Value> | Global | DTypeObj | ArrayObj | Mark;
interface Tuple {
  kind: 'tuple';
  items: Value[];
}
interface Mark {
  kind: 'mark';
}

const ALLOWED = new Set(['numpy.core.multiarray _reconstruct', 'numpy._core.multiarray _reconstruct', 'numpy ndarray', 'numpy dtype']);
const CODES: Record<string, FileDType> = { f4: 'float32', f8: 'float64', i8: 'int64', u1: 'uint8', b1: 'bool', f2: 'float16' };
const MAX_STACK = 100_000;

const isObj = (v: Value, kind: string): boolean => typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v) && !(v instanceof Map) && v.kind === kind;

class PickleError extends Error {}

/** Runs the pickle in `buf` from `start`; returns the object STOP leaves. */
function unpickle(buf: Uint8Array, start: number): Value {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const stack: Value[] = [];
  const memo = new Map<number, Value>();
  const marks: number[] = [];
  let p = start;
  const need = (n: number): number => {
    if (p + n > buf.byteLength) throw new PickleError('the pickle is truncated');
    const at = p;
    p += n;
    return at;
  };
  const pop = (): Value => {
    if (stack.length === 0) throw new PickleError('pickle stack underflow');
    return stack.pop() as Value;
  };
  const popMark = (): Value[] => {
    const m = marks.pop();
    if (m === undefined) throw new PickleError('pickle has no MARK to pop');
    return stack.splice(m);
  };
  const push = (v: Value): void => {
    if (stack.length >= MAX_STACK) throw new PickleError('pickle stack too deep');
    stack.push(v);
  };
  const text = (n: number): string => new TextDecoder().decode(buf.subarray(need(n), p));
  const bytes = (n: number): Uint8Array => buf.subarray(need(n), p);
  const line = (): string => {
    const end = buf.indexOf(0x0a, p);
    if (end < 0) throw new PickleError('the pickle is truncated');
    const s = new TextDecoder('latin1').decode(buf.subarray(p, end));
    p = end + 1;
    return s;
  };
  const global = (name: string): Global => {
    if (!ALLOWED.has(name)) {
      const hint = name.startsWith('torch') ? ': the dict holds torch tensors; save arrays ({k: v.numpy() ...}) or use safetensors' : '';
      throw new PickleError(`the pickle refers to ${name.replace(' ', '.')}, which NN Lens does not load${hint}`);
    }
    return { kind: 'global', name };
  };
  for (;;) {
    const op = buf[need(1)];
    switch (op) {
      case 0x80: need(1); break; // PROTO
      case 0x95: need(8); break; // FRAME
      case 0x63: push(global(`${line()} ${line()}`)); break; // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const mod = pop();
        push(global(`${String(mod)} ${String(name)}`));
        break;
      }
      case 0x71: memo.set(buf[need(1)], stack[stack.length - 1] ?? null); break; // BINPUT
      case 0x72: memo.set(dv.getUint32(need(4), true), stack[stack.length - 1] ?? null); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, stack[stack.length - 1] ?? null); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const k = op === 0x68 ? buf[need(1)] : dv.getUint32(need(4), true);
        if (!memo.has(k)) throw new PickleError(`pickle memo ${k} is not set`);
        push(memo.get(k) as Value);
        break;
      }
      case 0x4b: push(buf[need(1)]); break; // BININT1
      case 0x4d: push(dv.getUint16(need(2), true)); break; // BININT2
      case 0x4a: push(dv.getInt32(need(4), true)); break; // BININT
      case 0x8a: { // LONG1
        const n = buf[need(1)];
        const b = bytes(n);
        let v = 0;
        for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i];
        if (n > 0 && b[n - 1] & 0x80) v -= 2 ** (8 * n);
        push(v);
        break;
      }
      case 0x47: push(new DataView(buf.buffer, buf.byteOffset + need(8), 8).getFloat64(0, false)); break; // BINFLOAT
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x29: push({ kind: 'tuple', items: [] }); break; // EMPTY_TUPLE
      case 0x85: case 0x86: case 0x87: { // TUPLE1..3
        const n = op - 0x84;
        if (stack.length < n) throw new PickleError('pickle stack underflow');
        push({ kind: 'tuple', items: stack.splice(stack.length - n) });
        break;
      }
      case 0x74: push({ kind: 'tuple', items: popMark() }); break; // TUPLE
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x61: case 0x65: { // APPEND, APPENDS
        const items = op === 0x61 ? [pop()] : popMark();
        const list = stack[stack.length - 1];
        if (!Array.isArray(list)) throw new PickleError('APPEND to something that is not a list');
        list.push(...items);
        break;
      }
      case 0x7d: push(new Map()); break; // EMPTY_DICT
      case 0x73: case 0x75: { // SETITEM, SETITEMS
        if (op === 0x73 && stack.length < 3) throw new PickleError('pickle stack underflow');
        const items = op === 0x73 ? stack.splice(stack.length - 2, 2) : popMark();
        const d = stack[stack.length - 1];
        if (!(d instanceof Map) || items.length % 2) throw new PickleError('SETITEM on something that is not a dict');
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      case 0x43: push(bytes(buf[need(1)])); break; // SHORT_BINBYTES
      case 0x42: push(bytes(dv.getUint32(need(4), true))); break; // BINBYTES
      case 0x8e: push(bytes(Number(dv.getBigUint64(need(8), true)))); break; // BINBYTES8
      case 0x8c: push(text(buf[need(1)])); break; // SHORT_BINUNICODE
      case 0x58: push(text(dv.getUint32(need(4), true))); break; // BINUNICODE
      case 0x8d: push(text(Number(dv.getBigUint64(need(8), true)))); break; // BINUNICODE8
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        push(reduce(fn, args));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        build(stack[stack.length - 1] ?? null, state);
        break;
      }
      case 0x2e: return pop(); // STOP
      default:
        throw new PickleError(`pickle opcode 0x${op.toString(16)} at byte ${p - 1} is not one numpy writes for a dict of arrays`);
    }
  }
}

function tupleItems(v: Value): Value[] {
  if (!isObj(v, 'tuple')) throw new PickleError('expected a tuple in the pickle');
  return (v as Tuple).items;
}

function reduce(fn: Value, args: Value): Value {
  if (!isObj(fn, 'global')) throw new PickleError('REDUCE on something that is not a function');
  const a = tupleItems(args);
  if ((fn as Global).name === 'numpy dtype') return { kind: 'dtype', code: String(a[0]), order: '|' };
  if ((fn as Global).name.endsWith('_reconstruct')) return { kind: 'ndarray', shape: [], dtype: null, fortran: false, data: null };
  throw new PickleError(`cannot call ${(fn as Global).name}`);
}

function build(obj: Value, state: Value): void {
  const s = tupleItems(state);
  if (isObj(obj, 'dtype')) {
    (obj as DTypeObj).order = String(s[1]);
    return;
  }
  if (!isObj(obj, 'ndarray')) throw new PickleError('BUILD on an unknown object');
  const a = obj as ArrayObj;
  const shape = tupleItems(s[1]);
  if (!shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) throw new PickleError('bad array shape in the pickle');
  a.shape = shape as number[];
  if (!isObj(s[2], 'dtype')) throw new PickleError('array without a dtype in the pickle');
  a.dtype = s[2] as DTypeObj;
  a.fortran = s[3] === true;
  const data = s[4];
  if (!(data instanceof Uint8Array) && !Array.isArray(data)) throw new PickleError('array data is neither bytes nor a list');
  a.data = data;
}

function toTensor(a: ArrayObj, where: string): torch.Tensor {
  const d = a.dtype as DTypeObj;
  const dtype = CODES[d.code];
  if (!dtype || !(a.data instanceof Uint8Array)) throw new Error(`${where}: dtype ${d.code} is not supported (float32, float64, int64, uint8, bool, float16)`);
  if (d.order === '>') throw new Error(`${where}: big-endian data is not supported`);
  if (a.fortran) throw new Error(`${where}: Fortran-order arrays are not supported: save np.ascontiguousarray(v)`);
  const need = a.shape.reduce((x, y) => x * y, 1) * fileItemSize(dtype);
  if (a.data.byteLength !== need) throw new Error(`${where}: shape (${a.shape.join(', ')}) of ${d.code} needs ${need} bytes, the pickle holds ${a.data.byteLength}`);
  return bytesToTensor(a.data, dtype, a.shape, where);
}

/**
 * The dict of arrays inside a `.npy` written by `np.save(file, dict)`, or null when the file holds an ordinary
 * (non-object) array. Throws when it is an object array that is not a dict of numeric arrays.
 */
export function decodeNpyDict(buf: Uint8Array, file: string): Map<string, torch.Tensor> | null {
  if (buf.byteLength < 10) return null;
  const major = buf[6];
  const headerStart = major === 1 ? 10 : 12;
  const headerLen = major === 1 ? buf[8] | (buf[9] << 8) : new DataView(buf.buffer, buf.byteOffset).getUint32(8, true);
  if (headerStart + headerLen > buf.byteLength) return null;
  const header = new TextDecoder('latin1').decode(buf.subarray(headerStart, headerStart + headerLen));
  if (!/['"]descr['"]\s*:\s*['"]\|O['"]/.test(header)) return null;
  let root: Value;
  try {
    root = unpickle(buf, headerStart + headerLen);
  } catch (e) {
    if (e instanceof PickleError) throw new Error(`${file}: ${e.message}`);
    throw e;
  }
  const arr = isObj(root, 'ndarray') ? (root as ArrayObj) : null;
  const dict = arr && Array.isArray(arr.data) && arr.data.length === 1 ? arr.data[0] : null;
  if (!(dict instanceof Map)) throw new Error(`${file}: an object array that is not one dict of arrays: save a state dict with np.save(file, {k: v.numpy() ...})`);
  const out = new Map<string, torch.Tensor>();
  for (const [k, v] of dict) {
    if (typeof k !== 'string') throw new Error(`${file}: a key of the dict is not a string`);
    if (!isObj(v, 'ndarray')) throw new Error(`${file}: "${k}" is not a numpy array`);
    out.set(k, toTensor(v as ArrayObj, `${file}: "${k}"`));
  }
  return out;
}
