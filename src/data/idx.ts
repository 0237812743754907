/**
 * IDX files (the MNIST format): magic `00 00 08 <ndim>`, `ndim` big-endian uint32 sizes, then uint8 data.
 * Gzipped files are recognised by their own magic (1f 8b), whatever their name. Every check happens before the
 * data is used: a truncated, oversized or corrupt file is an Error naming the file, never a partial dataset.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

/** Decompressed files larger than this are refused (the full MNIST training images are 47 MB). */
export const MAX_IDX_BYTES = 1 << 30;

export interface IdxArray {
  dims: number[];
  /** Row-major uint8 values (a view into the file's bytes). */
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = { 0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

export function isGzip(buf: Uint8Array): boolean {
  return buf.byteLength >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** Gunzips with a size cap; a corrupt or truncated stream is an Error naming the file. */
export function gunzip(buf: Uint8Array, file: string, maxBytes = MAX_IDX_BYTES): Uint8Array {
  try {
    return zlib.gunzipSync(buf, { maxOutputLength: maxBytes });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE') throw new Error(`${file}: decompresses to more than ${maxBytes} bytes: refused`);
    const what = err.code === 'Z_BUF_ERROR' ? 'the gzip stream is truncated' : `corrupt gzip data (${err.message})`;
    throw new Error(`${file}: ${what}`);
  }
}

/** Parses an uncompressed IDX buffer holding uint8 data. */
export function parseIdx(buf: Uint8Array, file: string): IdxArray {
  if (buf.byteLength < 4) throw new Error(`${file}: too short to be an IDX file (${buf.byteLength} bytes)`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new Error(`${file}: not an IDX file (magic number ${hex(buf, 4)}, expected 00 00 08 0N)`);
  }
  const type = buf[2];
  if (type !== 0x08) {
    const name = TYPE_NAMES[type];
    throw new Error(`${file}: ${name ? `IDX element type ${name} (0x${type.toString(16).padStart(2, '0')}) is not supported: images and labels must be uint8` : `unknown IDX element type 0x${type.toString(16).padStart(2, '0')}`}`);
  }
  const ndim = buf[3];
  if (ndim < 1) throw new Error(`${file}: IDX file declares 0 dimensions`);
  const headerLen = 4 + 4 * ndim;
  if (buf.byteLength < headerLen) throw new Error(`${file}: truncated IDX header (${ndim} dimensions need ${headerLen} bytes, file holds ${buf.byteLength})`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  let n = 1;
  for (let i = 0; i < ndim; i++) {
    const d = dv.getUint32(4 + 4 * i, false);
    dims.push(d);
    n *= d;
  }
  const have = buf.byteLength - headerLen;
  if (n > have) {
    throw new Error(`${file}: truncated: the header declares ${dimsText(dims)} = ${n} values, the file holds ${have} bytes of data`);
  }
  if (n < have) throw new Error(`${file}: ${have - n} unexpected bytes after the ${dimsText(dims)} values the header declares`);
  return { dims, data: buf.subarray(headerLen) };
}

/** `60000 × 28 × 28`; a corrupt header's 255 dimensions are cut short so the message stays readable. */
export function dimsText(dims: readonly number[]): string {
  return dims.length <= 6 ? dims.join(' × ') : `${dims.slice(0, 4).join(' × ')} × … (${dims.length} dimensions)`;
}

function hex(buf: Uint8Array, n: number): string {
  return Array.from(buf.subarray(0, n), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Reads an IDX file, gzipped or not. */
export function readIdxFile(file: string): IdxArray {
  let raw: Uint8Array;
  try {
    raw = fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(err.code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read (${err.message})`);
  }
  return parseIdx(isGzip(raw) ? gunzip(raw, file) : raw, file);
}

/** Encodes uint8 values as an IDX buffer. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const n = dims.reduce((a, b) => a * b, 1);
  if (n !== data.byteLength) throw new RangeError(`encodeIdx: dims ${dims.join('×')} need ${n} values, got ${data.byteLength}`);
  const out = new Uint8Array(4 + 4 * dims.length + n);
  const dv = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
