/**
 * NumPy `.npy` files (format 1.0–3.0): float32, float64, int64, uint8 and bool, C order, little-endian.
 * Fortran order, big-endian, object and structured arrays are refused with a clear error. `NpyFile.open` reads
 * only the header, so a caller can look at the shape and dtype before reading the (possibly large) data.
 */
import * as fs from 'node:fs';
import type * as torch from '../engine';
import { bytesToTensor, checkShape, fileItemSize, preview, tensorToBytes, type FileDType } from './bytes';
import { readRange, writeFileAtomic } from './fileio';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyHeader {
  dtype: FileDType;
  shape: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
  /** Bytes of element data the header promises. */
  byteLength: number;
}

const DESCR: Record<string, FileDType> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<i8': 'int64',
  '|u1': 'uint8',
  '<u1': 'uint8',
  '|b1': 'bool',
  '<f2': 'float16',
};

const NPY_DESCR: Partial<Record<FileDType, string>> = { float32: '<f4', float64: '<f8', int64: '<i8', uint8: '|u1', bool: '|b1' };

function describe(descr: string): string {
  const kinds: Record<string, string> = { f: 'float', i: 'int', u: 'uint', b: 'bool', O: 'object', U: 'unicode', S: 'bytes', c: 'complex', M: 'datetime' };
  const k = kinds[descr[1]] ?? descr;
  return `${k}${descr[1] === 'O' ? '' : Number(descr.slice(2)) * 8 || ''}`;
}

/** How many bytes the preamble needs before the header text: 10 for v1, 12 for v2/v3. */
function preamble(head: Uint8Array, file: string): { headerStart: number; headerLen: number } {
  if (head.byteLength < 10 || !MAGIC.every((b, i) => head[i] === b)) throw new Error(`${file}: not a .npy file (missing the \\x93NUMPY magic)`);
  const major = head[6];
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (major === 1) return { headerStart: 10, headerLen: dv.getUint16(8, true) };
  if (major === 2 || major === 3) {
    if (head.byteLength < 12) throw new Error(`${file}: truncated .npy preamble`);
    return { headerStart: 12, headerLen: dv.getUint32(8, true) };
  }
  throw new Error(`${file}: unsupported .npy format version ${major}.${head[7]}`);
}

/** Parses the header dict; `head` holds at least the preamble and the header text. */
export function parseNpyHeader(head: Uint8Array, file: string): NpyHeader {
  const { headerStart, headerLen } = preamble(head, file);
  if (head.byteLength < headerStart + headerLen) throw new Error(`${file}: truncated .npy header (needs ${headerStart + headerLen} bytes, file holds ${head.byteLength})`);
  const text = new TextDecoder('latin1').decode(head.subarray(headerStart, headerStart + headerLen));
  const descrM = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(text);
  if (!descrM) {
    if (/['"]descr['"]\s*:\s*\[/.test(text)) throw new Error(`${file}: structured arrays (record dtypes) are not supported`);
    throw new Error(`${file}: .npy header has no 'descr': ${preview(text.trim())}`);
  }
  const descr = descrM[2];
  const fortranM = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  if (!fortranM) throw new Error(`${file}: .npy header has no 'fortran_order': ${preview(text.trim())}`);
  const shapeM = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!shapeM) throw new Error(`${file}: .npy header has no 'shape': ${preview(text.trim())}`);
  if (descr.includes('O')) throw new Error(`${file}: object arrays (dtype=object) are not supported: save a numeric array`);
  if (descr[0] === '>') throw new Error(`${file}: big-endian data (${preview(descr, 40)}) is not supported: save with arr.astype('<${preview(descr.slice(1), 40)}')`);
  const dtype = DESCR[descr];
  if (!dtype) throw new Error(`${file}: unsupported dtype ${preview(describe(descr), 40)} (${preview(descr, 40)}): use float32, float64, int64, uint8 or bool`);
  if (fortranM[1] === 'True') throw new Error(`${file}: Fortran-order arrays are not supported: save np.ascontiguousarray(arr)`);
  const dims = shapeM[1].split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!dims.every((d) => /^\d+L?$/.test(d))) throw new Error(`${file}: bad shape in .npy header: (${preview(shapeM[1])})`);
  const shape = checkShape(dims.map((d) => Number(d.replace('L', ''))), file);
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype, shape, dataOffset: headerStart + headerLen, byteLength: n * fileItemSize(dtype) };
}

/** Decodes a whole .npy file held in memory. */
export function decodeNpy(buf: Uint8Array, file = 'array.npy'): torch.Tensor {
  const h = parseNpyHeader(buf, file);
  const have = buf.byteLength - h.dataOffset;
  if (have < h.byteLength) throw new Error(`${file}: truncated: shape (${h.shape.join(', ')}) of ${h.dtype} needs ${h.byteLength} bytes of data, the file holds ${have}`);
  return bytesToTensor(buf.subarray(h.dataOffset, h.dataOffset + h.byteLength), h.dtype, h.shape, file);
}

/** Encodes a tensor as a version 1.0 .npy (C order, little-endian), as `np.save` would. */
export function encodeNpy(t: torch.Tensor, where = 'tensor'): Uint8Array {
  const descr = NPY_DESCR[t.dtype];
  if (!descr) throw new Error(`${where}: cannot save dtype ${t.dtype} as .npy`);
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = new Uint8Array(10 + dict.length);
  head.set(MAGIC, 0);
  head[6] = 1;
  head[7] = 0;
  new DataView(head.buffer).setUint16(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) head[10 + i] = dict.charCodeAt(i);
  const data = tensorToBytes(t, where);
  const out = new Uint8Array(head.byteLength + data.byteLength);
  out.set(head, 0);
  out.set(data, head.byteLength);
  return out;
}

/** An open .npy file whose header has been read; `read()` reads the data. Close it when done. */
export class NpyFile {
  private constructor(readonly file: string, private fd: number, readonly header: NpyHeader, readonly fileSize: number) {}

  static open(file: string): NpyFile {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const pre = readRange(fd, 0, Math.min(size, 12), file);
      const { headerStart, headerLen } = preamble(pre, file);
      if (headerStart + headerLen > size) throw new Error(`${file}: truncated .npy header (needs ${headerStart + headerLen} bytes, file holds ${size})`);
      const header = parseNpyHeader(readRange(fd, 0, headerStart + headerLen, file), file);
      const have = size - header.dataOffset;
      if (have < header.byteLength) {
        throw new Error(`${file}: truncated: shape (${header.shape.join(', ')}) of ${header.dtype} needs ${header.byteLength} bytes of data, the file holds ${have}`);
      }
      return new NpyFile(file, fd, header, size);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  read(): torch.Tensor {
    const h = this.header;
    return bytesToTensor(readRange(this.fd, h.dataOffset, h.byteLength, this.file), h.dtype, h.shape, this.file);
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

export function readNpyFile(file: string): torch.Tensor {
  const f = NpyFile.open(file);
  try {
    return f.read();
  } finally {
    f.close();
  }
}

export function writeNpyFile(file: string, t: torch.Tensor): void {
  writeFileAtomic(file, [encodeNpy(t, file)]);
}
