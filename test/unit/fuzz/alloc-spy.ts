/**
 * Measures the largest buffer a piece of code asks for: while `f` runs, `new Uint8Array(n)`, `new Float32Array(n)`,
 * `new ArrayBuffer(n)`, `Buffer.alloc(n)`, ... are recorded (in bytes) before they happen, so a header claiming
 * 10^12 elements shows up even when the allocation would fail. Views over existing buffers are not counted, except
 * over the engine's kernel arena (src/engine/kernels/wasm.ts), where a view is how a parameter is allocated.
 */
import { arenaBuffer } from '../../../src/engine/kernels/wasm';

type TypedCtor = Uint8ArrayConstructor | Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint16ArrayConstructor | Int8ArrayConstructor | Uint32ArrayConstructor | Int16ArrayConstructor | BigInt64ArrayConstructor;
type G = Record<string, unknown>;

const NAMES = ['Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array'] as const;

export interface AllocReport<T> {
  result?: T;
  error?: unknown;
  /** Largest single request, in bytes. */
  largest: number;
  /** Sum of all requests, in bytes. */
  total: number;
}

function bytesRequested(args: unknown[], itemSize: number): number {
  const a = args[0];
  if (typeof a === 'number') return a * itemSize;
  if (a != null && a === arenaBuffer()) return Number(args[2] ?? 0) * itemSize; // a SharedArrayBuffer
  if (a instanceof ArrayBuffer || ArrayBuffer.isView(a)) return args.length > 1 ? 0 : ArrayBuffer.isView(a) && !(a instanceof DataView) ? (a as unknown as { length: number }).length * itemSize : 0;
  if (a && typeof a === 'object' && 'length' in a) return Number((a as { length: unknown }).length) * itemSize;
  return 0;
}

/** `trackAllocations` for async code: the spy stays in place until the promise settles. */
export async function trackAllocationsAsync<T>(f: () => Promise<T>): Promise<AllocReport<T>> {
  let settle: Promise<T> | undefined;
  let restoreAfter: (() => void) | undefined;
  const sync = trackAllocations(() => {
    settle = f();
    return undefined;
  }, (restore) => (restoreAfter = restore));
  const report: AllocReport<T> = { largest: sync.largest, total: sync.total };
  try {
    if (sync.error !== undefined) throw sync.error;
    report.result = await (settle as Promise<T>);
  } catch (e) {
    report.error = e;
  } finally {
    const final = (restoreAfter as () => AllocReport<unknown>)() as AllocReport<unknown>;
    report.largest = Math.max(report.largest, final.largest);
    report.total = final.total;
  }
  return report;
}

export function trackAllocations<T>(f: () => T, keep?: (restore: () => AllocReport<T>) => void): AllocReport<T> {
  const g = globalThis as unknown as G;
  const saved = new Map<string, unknown>();
  const report: AllocReport<T> = { largest: 0, total: 0 };
  const note = (bytes: number): void => {
    if (!(bytes > 0)) return;
    report.largest = Math.max(report.largest, bytes);
    report.total += bytes;
  };
  for (const name of NAMES) {
    const real = g[name] as TypedCtor;
    saved.set(name, real);
    g[name] = new Proxy(real, {
      construct(target, args, newTarget) {
        note(bytesRequested(args, real.BYTES_PER_ELEMENT));
        return Reflect.construct(target, args, newTarget === g[name] ? target : newTarget) as object;
      },
    });
  }
  const realAB = ArrayBuffer;
  saved.set('ArrayBuffer', realAB);
  g.ArrayBuffer = new Proxy(realAB, {
    construct(target, args, newTarget) {
      note(typeof args[0] === 'number' ? args[0] : 0);
      return Reflect.construct(target, args, newTarget === g.ArrayBuffer ? target : newTarget) as object;
    },
  });
  const { alloc, allocUnsafe, allocUnsafeSlow } = Buffer;
  Buffer.alloc = ((n: number, ...rest: unknown[]) => (note(n), (alloc as (...a: unknown[]) => Buffer)(n, ...rest))) as typeof Buffer.alloc;
  Buffer.allocUnsafe = ((n: number) => (note(n), allocUnsafe(n))) as typeof Buffer.allocUnsafe;
  Buffer.allocUnsafeSlow = ((n: number) => (note(n), allocUnsafeSlow(n))) as typeof Buffer.allocUnsafeSlow;
  const restore = (): AllocReport<T> => {
    for (const [k, v] of saved) g[k] = v;
    Object.assign(Buffer, { alloc, allocUnsafe, allocUnsafeSlow });
    return report;
  };
  try {
    report.result = f();
  } catch (e) {
    report.error = e;
  } finally {
    if (keep) keep(restore);
    else restore();
  }
  return { ...report };
}
