/**
 * Loading the WebAssembly kernels (wasm/kernels.c, embedded by scripts/build-wasm.mjs): the module on a fresh
 * arena (a shared memory where the host has one, else the same module with its memory import made unshared), and
 * the arena's allocator.
 */
import { kernelsWasmBase64 } from './wasm/kernels-wasm';
import type { Exports } from './split';

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: unknown };
}

/** Virtual size of the arena: pages are only backed by memory once written. */
export const ARENA_BYTES = 256 * 1024 * 1024;
const ALIGN = 64;

/** First-fit allocator over [base, end) with coalescing free blocks, sorted by address. */
export class Heap {
  private readonly free: { at: number; size: number }[];
  private readonly sizes = new Map<number, number>();
  used = 0;

  constructor(base: number, end: number) {
    this.free = [{ at: base, size: end - base }];
  }

  alloc(bytes: number): number {
    const size = Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.size < size) continue;
      const at = b.at;
      if (b.size === size) this.free.splice(i, 1);
      else { b.at += size; b.size -= size; }
      this.sizes.set(at, size);
      this.used += size;
      return at;
    }
    return -1;
  }

  release(at: number): void {
    const size = this.sizes.get(at);
    if (size === undefined) return;
    this.sizes.delete(at);
    this.used -= size;
    let i = 0;
    while (i < this.free.length && this.free[i].at < at) i++;
    this.free.splice(i, 0, { at, size });
    const next = this.free[i + 1];
    if (next && at + size === next.at) { this.free[i].size += next.size; this.free.splice(i + 1, 1); }
    const prev = this.free[i - 1];
    if (prev && prev.at + prev.size === at) { prev.size += this.free[i].size; this.free.splice(i, 1); }
  }
}

export interface WasmKernels {
  readonly k: Exports;
  readonly module: object;
  readonly memory: WasmMemory;
  /** A shared memory (a kernel helper can attach), or an ordinary one. */
  readonly shared: boolean;
  /** Frees a pinned array's block when it is collected. */
  readonly finalizer: FinalizationRegistry<number>;
  readonly f32: Float32Array;
  readonly u8: Uint8Array;
  /** memory.buffer, read once (the arena never grows; the getter costs ~60 ns, and every kernel call asks). */
  readonly buffer: ArrayBuffer;
  readonly heap: Heap;
}

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** One build of the kernels on a fresh arena; throws where this host cannot (no SIMD, no shared memory, no room). */
export function instantiateKernels(bytes: Uint8Array, shared: boolean): WasmKernels {
  const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!WA) throw new Error('no WebAssembly');
  const memory = new WA.Memory({ initial: ARENA_BYTES / 65536, maximum: ARENA_BYTES / 65536, shared });
  const module = new WA.Module(bytes);
  const k = new WA.Instance(module, { env: { memory } }).exports as Exports;
  const base = Math.ceil(Number(k.__heap_base.value) / ALIGN) * ALIGN;
  const heap = new Heap(base, ARENA_BYTES);
  const finalizer = new FinalizationRegistry<number>((at) => heap.release(at));
  const buffer = memory.buffer;
  return { k, module, memory, shared, f32: new Float32Array(buffer), u8: new Uint8Array(buffer), buffer, heap, finalizer };
}

/** Reads an unsigned LEB128 at `at`: [value, the offset after it]. */
function leb(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = b[at++];
    v += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [v, at];
  }
}

/** The offset after the limits (flags, min, max when flags & 1) at `at`. */
function skipLimits(b: Uint8Array, at: number): number {
  const after = leb(b, at + 1)[1];
  return b[at] & 1 ? leb(b, after)[1] : after;
}

/**
 * The module with its imported memory declared unshared (limits flag 0x03 → 0x01): the same kernels for a host
 * without shared WebAssembly memory (one thread). Valid because the kernels use no atomic instruction (the build
 * checks). Throws if the module has no shared memory import.
 */
export function unsharedCopy(wasm: Uint8Array): Uint8Array {
  const b = wasm.slice();
  for (let at = 8; at < b.length; ) {
    const id = b[at];
    const [size, body] = leb(b, at + 1);
    if (id === 2) {
      let [count, p] = leb(b, body);
      while (count-- > 0) {
        for (let name = 0; name < 2; name++) {
          const [len, q] = leb(b, p);
          p = q + len;
        }
        const kind = b[p++];
        if (kind === 0x02 && b[p] === 0x03) {
          b[p] = 0x01;
          return b;
        }
        if (kind === 0x00) p = leb(b, p)[1]; // a function: its type index
        else if (kind === 0x01) p = skipLimits(b, p + 1); // a table: its element type, its limits
        else if (kind === 0x02) p = skipLimits(b, p); // an unshared memory
        else if (kind === 0x03) p += 2; // a global: its type and mutability
        else throw new Error(`unsharedCopy: import of kind ${kind}`);
      }
    }
    at = body + size;
  }
  throw new Error('unsharedCopy: no shared memory import');
}

/** The builds, best first: on a shared memory (a kernel helper thread can work in it too), then on an ordinary one. */
export function kernelBuilds(): [Uint8Array, boolean][] {
  const shared = decodeBase64(kernelsWasmBase64);
  return [[shared, true], [unsharedCopy(shared), false]];
}
