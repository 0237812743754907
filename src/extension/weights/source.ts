/**
 * A weight file opened header-first: the tensors' names, dtypes, shapes and byte ranges come from the header (read
 * and validated by src/data), and elements are read on demand, a range at a time, through an async file handle.
 * The file is never read whole, except a `.npy` holding a pickled dict (np.save of a dict), which has no index
 * and is refused above MAX_PICKLED_NPY_BYTES. Pure: no `vscode`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bytesToTensor, fileItemSize, type FileDType } from '../../data/bytes';
import { SafetensorsFile } from '../../data/safetensors';
import { NpyFile } from '../../data/npy';
import { decodeNpyStateDict } from '../../bridge';
import type { WeightFileInfo } from '../../protocol';

/** A pickled-dict `.npy` must be decoded whole: larger ones are refused with a message. */
export const MAX_PICKLED_NPY_BYTES = 64 * 1024 * 1024;

export type Values = Float32Array | Float64Array;

export interface SourceEntry {
  name: string;
  /** As the file names it. */
  fileDType: string;
  dtype: FileDType;
  shape: number[];
  numel: number;
  /** Bytes in the file. */
  bytes: number;
}

export interface TensorSource {
  readonly file: string;
  readonly format: WeightFileInfo['format'];
  readonly size: number;
  readonly metadata: Record<string, string>;
  readonly entries: readonly SourceEntry[];
  entry(name: string): SourceEntry | undefined;
  /**
   * `count` elements of `entry` from element `start` (row-major), as numbers (float32 storage for float32 and the
   * half types, float64 for the others). With a `scratch`, the result may live in its buffer until the next read
   * through the same scratch: copy what you keep. Each concurrent job uses its own scratch.
   */
  read(entry: SourceEntry, start: number, count: number, scratch?: Scratch): Promise<Values>;
  close(): Promise<void>;
}

const numelOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A read buffer one job grows and reuses (chunked passes read millions of elements without new allocations). */
export class Scratch {
  private buf = new Uint8Array(0);
  private other: Scratch | null = null;

  /** At least `length` bytes, 8-byte aligned. */
  bytes(length: number): Uint8Array {
    if (this.buf.byteLength < length) this.buf = new Uint8Array(Math.max(length, Math.min(2 * this.buf.byteLength, 64 * 1024 * 1024)));
    return this.buf.subarray(0, length);
  }

  /** A second buffer, for reading the next chunk while this one is processed. */
  get second(): Scratch {
    this.other ??= new Scratch();
    return this.other;
  }
}

/** Reads ranges of a file through one handle (positional reads: concurrent jobs do not disturb each other). */
class RangeReader {
  private handle: Promise<fs.promises.FileHandle> | null = null;

  constructor(readonly file: string) {}

  private open(): Promise<fs.promises.FileHandle> {
    this.handle ??= fs.promises.open(this.file, 'r');
    return this.handle;
  }

  /** Exactly `length` bytes at `position`, into `into` (8-byte aligned), or an Error naming the file. */
  async read(position: number, length: number, into: Uint8Array): Promise<Uint8Array> {
    const fh = await this.open();
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(into, got, length - got, position + got);
      if (bytesRead === 0) throw new Error(`${this.file}: the file ended at byte ${position + got} (was it changed on disk?)`);
      got += bytesRead;
    }
    return into.subarray(0, length);
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h) await (await h).close();
  }
}

/** Bytes as values: a view for little-endian float32/float64 (no copy), else decoded by src/data. */
function decode(bytes: Uint8Array, dtype: FileDType, count: number, where: string): Values {
  if (LITTLE_ENDIAN && bytes.byteOffset % 8 === 0) {
    if (dtype === 'float32') return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    if (dtype === 'float64') return new Float64Array(bytes.buffer, bytes.byteOffset, count);
  }
  return bytesToTensor(bytes, dtype, [count], where).toArray() as Values;
}

function checkRange(e: SourceEntry, start: number, count: number): void {
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(count) && start >= 0 && count >= 0 && start + count <= e.numel)) {
    throw new RangeError(`elements [${start}, ${start + count}) are outside tensor "${e.name}" of ${e.numel} elements`);
  }
}

interface FileEntry extends SourceEntry {
  /** Absolute byte offset of element 0. */
  start: number;
}

class FileSource implements TensorSource {
  private readonly reader: RangeReader;
  private readonly byName: Map<string, FileEntry>;

  constructor(
    readonly file: string,
    readonly format: 'safetensors' | 'npy',
    readonly size: number,
    readonly metadata: Record<string, string>,
    readonly entries: readonly FileEntry[],
  ) {
    this.reader = new RangeReader(file);
    this.byName = new Map(entries.map((e) => [e.name, e]));
  }

  entry(name: string): SourceEntry | undefined {
    return this.byName.get(name);
  }

  async read(entry: SourceEntry, start: number, count: number, scratch?: Scratch): Promise<Values> {
    const e = this.byName.get(entry.name);
    if (!e) throw new Error(`${this.file}: no tensor named "${entry.name}"`);
    checkRange(e, start, count);
    const item = fileItemSize(e.dtype);
    const length = count * item;
    const bytes = await this.reader.read(e.start + start * item, length, scratch ? scratch.bytes(length) : new Uint8Array(length));
    return decode(bytes, e.dtype, count, `${this.file}: tensor "${e.name}"`);
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}

/** Tensors already in memory (a pickled-dict .npy). */
class MemorySource implements TensorSource {
  readonly format = 'npy-dict' as const;
  readonly metadata: Record<string, string> = {};
  readonly entries: SourceEntry[];
  private readonly data = new Map<string, Values>();

  constructor(readonly file: string, readonly size: number, tensors: Map<string, { shape: readonly number[]; dtype: string; toArray(): ArrayLike<number> }>) {
    this.entries = [...tensors].map(([name, t]) => {
      const dtype = t.dtype as FileDType;
      this.data.set(name, t.toArray() as Values);
      const numel = numelOf(t.shape);
      return { name, fileDType: dtype, dtype, shape: [...t.shape], numel, bytes: numel * fileItemSize(dtype) };
    });
  }

  entry(name: string): SourceEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  async read(entry: SourceEntry, start: number, count: number): Promise<Values> {
    const d = this.data.get(entry.name);
    if (!d) throw new Error(`${this.file}: no tensor named "${entry.name}"`);
    checkRange(entry, start, count);
    return d.subarray(start, start + count);
  }

  async close(): Promise<void> {
    this.data.clear();
  }
}

/** The name a lone `.npy` array goes by in expressions: its file name without `.npy`, as a Python identifier. */
export function arrayName(file: string): string {
  const stem = path.basename(file).replace(/\.npy$/i, '').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(stem) ? stem : `a_${stem}`;
}

/**
 * Opens `file` by its first bytes (`\x93NUMPY` → .npy, else safetensors) and validates its header. Throws an Error
 * naming the file and the problem (src/data's messages) for anything malformed.
 */
export function openSource(file: string): TensorSource {
  let size: number;
  let head: Uint8Array;
  try {
    size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r');
    try {
      head = new Uint8Array(Math.min(size, 8));
      fs.readSync(fd, head, 0, head.byteLength, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(err.code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read (${err.message})`);
  }
  const isNpy = head.byteLength >= 6 && head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY';
  if (isNpy) return openNpy(file, size);
  if (/\.npy$/i.test(file)) throw new Error(`${file}: not a .npy file (missing the \\x93NUMPY magic)`);
  const st = SafetensorsFile.open(file);
  st.close();
  const entries = st.header.entries.map((e) => ({
    name: e.name, fileDType: e.fileDType, dtype: e.dtype, shape: e.shape.slice(), numel: numelOf(e.shape), bytes: e.end - e.start, start: e.start,
  }));
  return new FileSource(file, 'safetensors', size, { ...st.header.metadata }, entries);
}

function openNpy(file: string, size: number): TensorSource {
  let f: NpyFile;
  try {
    f = NpyFile.open(file);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (!/object arrays/.test(msg)) throw e;
    // np.save of a dict: a pickle, which has to be decoded whole.
    if (size > MAX_PICKLED_NPY_BYTES) {
      throw new Error(`${file}: a pickled object array (np.save of a dict) of ${size} bytes is larger than the ${MAX_PICKLED_NPY_BYTES}-byte limit for files that must be read whole: save it with np.savez or safetensors instead`);
    }
    return new MemorySource(file, size, decodeNpyStateDict(fs.readFileSync(file), file));
  }
  f.close();
  const h = f.header;
  const kinds: Record<FileDType, string> = { float32: '<f4', float64: '<f8', int64: '<i8', uint8: '|u1', bool: '|b1', float16: '<f2', bfloat16: 'bfloat16' };
  const entry: FileEntry = { name: arrayName(file), fileDType: kinds[h.dtype], dtype: h.dtype, shape: h.shape.slice(), numel: numelOf(h.shape), bytes: h.byteLength, start: h.dataOffset };
  return new FileSource(file, 'npy', size, {}, [entry]);
}
