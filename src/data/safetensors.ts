/**
 * safetensors files: an 8-byte little-endian header length N, N bytes of JSON
 * (`{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {...}}`), raw bytes.
 * F32, F64, I64, U8 and BOOL read and write; F16 and BF16 read, widened to float32. The header is validated
 * (length, JSON, offsets inside the file, no overlap, contiguous coverage, dtype × shape = byte length) before
 * any tensor is read. `SafetensorsFile.open` reads only the header; `readTensor(name)` reads one tensor's bytes.
 */
import * as fs from 'node:fs';
import type * as torch from '../engine';
import { bytesToTensor, checkShape, fileItemSize, preview, previewJson, tensorToBytes, type FileDType } from './bytes';
import { readRange, writeFileAtomic } from './fileio';

/** Headers larger than this are refused (the reference implementation's limit is 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

const DTYPES: Record<string, FileDType> = { F32: 'float32', F64: 'float64', I64: 'int64', U8: 'uint8', BOOL: 'bool', F16: 'float16', BF16: 'bfloat16' };
const NAMES: Partial<Record<torch.DType, string>> = { float32: 'F32', float64: 'F64', int64: 'I64', uint8: 'U8', bool: 'BOOL' };

export interface TensorEntry {
  name: string;
  /** As the file names it: F32, I64, ... */
  fileDType: string;
  dtype: FileDType;
  shape: number[];
  /** Absolute byte range in the file. */
  start: number;
  end: number;
}

export interface SafetensorsHeader {
  /** In file order (by offset). */
  entries: TensorEntry[];
  metadata: Record<string, string>;
  /** Absolute offset of the data section (8 + header length). */
  dataStart: number;
}

/** Reads the header length from the first 8 bytes and checks it against the file size. */
export function headerLength(first8: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || first8.byteLength < 8) throw new Error(`${file}: too short to be a safetensors file (${fileSize} bytes)`);
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new Error(`${file}: header length ${n} is larger than the ${MAX_HEADER_BYTES}-byte limit: not a safetensors file?`);
  if (Number(n) > fileSize - 8) throw new Error(`${file}: header length ${n} runs past the end of the file (${fileSize} bytes)`);
  return Number(n);
}

/** Validates the JSON header; `dataLength` is the size of the data section. */
export function parseSafetensorsHeader(json: Uint8Array, dataLength: number, file: string): SafetensorsHeader {
  let raw: unknown;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(json);
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${file}: header must be a JSON object`);
  const dataStart = 8 + json.byteLength;
  const metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    const where = `${file}: tensor "${preview(name, 80)}"`;
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file}: __metadata__ must be an object of strings`);
      for (const [k, s] of Object.entries(v)) {
        if (typeof s !== 'string') throw new Error(`${file}: __metadata__.${preview(k, 80)} must be a string, got ${previewJson(s)}`);
        // defineProperty: a key such as "__proto__" is kept as data, never as the object's prototype.
        Object.defineProperty(metadata, k, { value: s, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where}: expected {dtype, shape, data_offsets}`);
    const o = v as Record<string, unknown>;
    const fileDType = String(o.dtype);
    const dtype = DTYPES[fileDType];
    if (!dtype) throw new Error(`${where}: dtype ${previewJson(o.dtype, 40)} is not supported (F32, F64, I64, U8, BOOL, F16, BF16)`);
    const shape = checkShape(o.shape, where);
    const offs = o.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) {
      throw new Error(`${where}: data_offsets must be [begin, end] non-negative integers, got ${previewJson(offs)}`);
    }
    const [b, e] = offs as number[];
    if (e < b) throw new Error(`${where}: data_offsets [${b}, ${e}] end before they begin`);
    if (e > dataLength) throw new Error(`${where}: data_offsets [${b}, ${e}] run past the end of the data (${dataLength} bytes): the file is truncated`);
    const need = shape.reduce((a, x) => a * x, 1) * fileItemSize(dtype);
    if (e - b !== need) throw new Error(`${where}: ${fileDType} of shape [${preview(shape.join(', '))}] needs ${need} bytes, data_offsets [${b}, ${e}] hold ${e - b}`);
    entries.push({ name, fileDType, dtype, shape, start: dataStart + b, end: dataStart + e });
  }
  entries.sort((a, b) => a.start - b.start || a.end - b.end);
  let pos = dataStart;
  for (const en of entries) {
    if (en.start < pos) throw new Error(`${file}: tensor "${preview(en.name, 80)}" overlaps the tensor before it (data_offsets begin at ${en.start - dataStart}, previous ends at ${pos - dataStart})`);
    if (en.start > pos) throw new Error(`${file}: ${en.start - pos} bytes of data before tensor "${preview(en.name, 80)}" belong to no tensor`);
    pos = en.end;
  }
  if (pos !== dataStart + dataLength) throw new Error(`${file}: the last ${dataStart + dataLength - pos} bytes of data belong to no tensor`);
  return { entries, metadata, dataStart };
}

/** Decodes a whole file held in memory: tensors by name, in file order. */
export function decodeSafetensors(buf: Uint8Array, file = 'weights.safetensors'): Map<string, torch.Tensor> {
  const n = headerLength(buf.subarray(0, 8), buf.byteLength, file);
  const h = parseSafetensorsHeader(buf.subarray(8, 8 + n), buf.byteLength - 8 - n, file);
  const out = new Map<string, torch.Tensor>();
  for (const e of h.entries) out.set(e.name, bytesToTensor(buf.subarray(e.start, e.end), e.dtype, e.shape, `${file}: tensor "${preview(e.name, 80)}"`));
  return out;
}

/** Encodes tensors in the given order (state_dict order); the header is padded with spaces to 8 bytes. */
export function encodeSafetensors(tensors: Iterable<readonly [string, torch.Tensor]>, metadata: Record<string, string> = { format: 'pt' }): Uint8Array[] {
  // No prototype: names such as "constructor" or "__proto__" are ordinary keys of a state dict.
  const header = Object.create(null) as Record<string, unknown>;
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const datas: Uint8Array[] = [];
  let off = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__' || name in header) throw new Error(`tensor name "${name}" is reserved or repeated`);
    const dt = NAMES[t.dtype];
    if (!dt) throw new Error(`tensor "${name}": dtype ${t.dtype} cannot be saved as safetensors`);
    const d = tensorToBytes(t, `tensor "${name}"`);
    header[name] = { dtype: dt, shape: t.shape.slice(), data_offsets: [off, off + d.byteLength] };
    datas.push(d);
    off += d.byteLength;
  }
  let json = JSON.stringify(header);
  const bytesLen = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (bytesLen % 8)) % 8);
  const jsonBytes = new TextEncoder().encode(json);
  const pre = new Uint8Array(8);
  new DataView(pre.buffer).setBigUint64(0, BigInt(jsonBytes.byteLength), true);
  return [pre, jsonBytes, ...datas];
}

/** An open file whose header has been read and validated; tensors are read one at a time. */
export class SafetensorsFile {
  private constructor(readonly file: string, private fd: number, readonly header: SafetensorsHeader, readonly fileSize: number) {}

  static open(file: string): SafetensorsFile {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const n = headerLength(readRange(fd, 0, Math.min(8, size), file), size, file);
      const header = parseSafetensorsHeader(readRange(fd, 8, n, file), size - 8 - n, file);
      return new SafetensorsFile(file, fd, header, size);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  get names(): string[] {
    return this.header.entries.map((e) => e.name);
  }

  entry(name: string): TensorEntry {
    const e = this.header.entries.find((x) => x.name === name);
    if (!e) throw new Error(`${this.file}: no tensor named "${preview(name, 80)}" (it holds ${preview(this.names.map((n) => `"${n}"`).join(', '), 300) || 'no tensors'})`);
    return e;
  }

  readTensor(name: string): torch.Tensor {
    const e = this.entry(name);
    return bytesToTensor(readRange(this.fd, e.start, e.end - e.start, this.file), e.dtype, e.shape, `${this.file}: tensor "${preview(name, 80)}"`);
  }

  readAll(): Map<string, torch.Tensor> {
    return new Map(this.names.map((n) => [n, this.readTensor(n)]));
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

export function readSafetensorsFile(file: string): Map<string, torch.Tensor> {
  const f = SafetensorsFile.open(file);
  try {
    return f.readAll();
  } finally {
    f.close();
  }
}

export function writeSafetensorsFile(file: string, tensors: Iterable<readonly [string, torch.Tensor]>, metadata?: Record<string, string>): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}
