/**
 * Raw little-endian bytes ↔ engine tensors, shared by the .npy and safetensors readers/writers.
 * Storage follows the engine: float32 in a Float32Array, every other dtype in a Float64Array.
 */
import * as torch from '../engine';
import type { DType } from '../engine';

/** Element types a file may hold, as the file names them; `convert` ones are read as float32. */
export type FileDType = 'float32' | 'float64' | 'int64' | 'uint8' | 'bool' | 'float16' | 'bfloat16';

export function fileItemSize(d: FileDType): number {
  switch (d) {
    case 'float64':
    case 'int64':
      return 8;
    case 'float32':
      return 4;
    case 'float16':
    case 'bfloat16':
      return 2;
    case 'uint8':
    case 'bool':
      return 1;
  }
}

/** The engine dtype a file dtype becomes (half precision is widened to float32). */
export function engineDType(d: FileDType): DType {
  return d === 'float16' || d === 'bfloat16' ? 'float32' : d;
}

/** Typed arrays use the platform's byte order; the files are little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes `numel` little-endian elements starting at `bytes[0]` into a new tensor of `shape`.
 * Copies (file offsets need not be aligned). `where` names the tensor in errors.
 */
export function bytesToTensor(bytes: Uint8Array, dtype: FileDType, shape: readonly number[], where: string): torch.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const need = n * fileItemSize(dtype);
  if (bytes.byteLength < need) throw new Error(`${where}: needs ${need} bytes of data, found ${bytes.byteLength}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, need);
  const et = engineDType(dtype);
  const out = et === 'float32' ? new Float32Array(n) : new Float64Array(n);
  if (LITTLE_ENDIAN && (dtype === 'float32' || dtype === 'float64')) {
    // Same layout as the storage: one byte copy (file offsets need not be aligned, so never a view).
    new Uint8Array(out.buffer).set(bytes.subarray(0, need));
    return torch.fromStorage(out, shape, et);
  }
  switch (dtype) {
    case 'float32':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
      break;
    case 'float64':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
      break;
    case 'int64':
      for (let i = 0; i < n; i++) {
        const v = dv.getBigInt64(i * 8, true);
        if (v > 9007199254740991n || v < -9007199254740991n) {
          throw new Error(`${where}: int64 value ${v} at element ${i} is beyond 2^53 and cannot be held exactly`);
        }
        out[i] = Number(v);
      }
      break;
    case 'uint8':
      for (let i = 0; i < n; i++) out[i] = bytes[i];
      break;
    case 'bool':
      for (let i = 0; i < n; i++) out[i] = bytes[i] ? 1 : 0;
      break;
    case 'float16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
      break;
    case 'bfloat16': {
      const f = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < n; i++) {
        f.setUint32(0, dv.getUint16(i * 2, true) << 16, true);
        out[i] = f.getFloat32(0, true);
      }
      break;
    }
  }
  return torch.fromStorage(out, shape, et);
}

/** The tensor's values (row-major, any strides) as little-endian bytes of its own dtype. */
export function tensorToBytes(t: torch.Tensor, where: string): Uint8Array {
  const data = t.toArray();
  const n = data.length;
  const size = fileItemSize(t.dtype);
  if (LITTLE_ENDIAN && (t.dtype === 'float32' || t.dtype === 'float64')) {
    // float32 lives in a Float32Array and float64 in a Float64Array: their bytes are the file's bytes.
    return new Uint8Array(data.buffer, data.byteOffset, n * size).slice();
  }
  const out = new Uint8Array(n * size);
  const dv = new DataView(out.buffer);
  switch (t.dtype) {
    case 'float32':
      for (let i = 0; i < n; i++) dv.setFloat32(i * 4, data[i], true);
      break;
    case 'float64':
      for (let i = 0; i < n; i++) dv.setFloat64(i * 8, data[i], true);
      break;
    case 'int64':
      for (let i = 0; i < n; i++) {
        if (!Number.isInteger(data[i])) throw new Error(`${where}: int64 element ${i} is ${data[i]}, not an integer`);
        dv.setBigInt64(i * 8, BigInt(data[i]), true);
      }
      break;
    case 'uint8':
    case 'bool':
      for (let i = 0; i < n; i++) out[i] = data[i];
      break;
  }
  return out;
}

/** Text from a file, quoted in a message: cut to `max` characters so a corrupt header cannot flood it. */
export function preview(text: string, max = 120): string {
  const cut = text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
  // Control characters and bidi overrides from a hostile file would act on a terminal: show them as \uXXXX.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value from a file's header as JSON, cut short (see `preview`). */
export function previewJson(v: unknown, max = 120): string {
  return preview(JSON.stringify(v) ?? String(v), max);
}

/** A shape read from a file: an array of non-negative safe integers. */
export function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${where}: shape must be a list of non-negative integers, got ${previewJson(shape)}`);
  }
  const n = shape.reduce((a: number, b: number) => a * b, 1);
  if (!Number.isSafeInteger(n)) throw new Error(`${where}: shape ${previewJson(shape)} has too many elements`);
  return shape as number[];
}
