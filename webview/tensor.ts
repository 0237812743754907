/** Turning payloads from the host into typed arrays, respecting byteOffset. Pure: no DOM. */
import type { TensorPayload } from '../src/protocol';

/** What an ArrayBuffer field may arrive as: VS Code sends ArrayBuffers, some hosts send typed-array views. */
export type BinaryLike = ArrayBuffer | ArrayBufferView;

export function isBinary(x: unknown): x is BinaryLike {
  return x instanceof ArrayBuffer || ArrayBuffer.isView(x);
}

export function byteLengthOf(x: BinaryLike): number {
  return x.byteLength;
}

/** The bytes as float32 values (little-endian), copying only when the view is not 4-byte aligned. */
export function toFloat32(x: BinaryLike): Float32Array {
  if (x instanceof ArrayBuffer) return new Float32Array(x, 0, Math.floor(x.byteLength / 4));
  if (x instanceof Float32Array) return x;
  const n = Math.floor(x.byteLength / 4);
  if (x.byteOffset % 4 === 0) return new Float32Array(x.buffer, x.byteOffset, n);
  return new Float32Array(new Uint8Array(x.buffer, x.byteOffset, n * 4).slice().buffer);
}

export function toUint8(x: BinaryLike): Uint8Array {
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

/** A tensor as the views hold it. */
export interface HostTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export function fromPayload(p: TensorPayload): HostTensor {
  return { name: p.name, shape: p.shape.slice(), data: toFloat32(p.data as BinaryLike) };
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** max |x| over the array (0 for an empty one; NaN entries are skipped). */
export function maxAbs(data: Float32Array): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]);
    if (a > m) m = a;
  }
  return m;
}

/** min, max, mean and (population) std, NaN-free inputs assumed. */
export function stats(data: Float32Array): { min: number; max: number; mean: number; std: number } {
  if (data.length === 0) return { min: NaN, max: NaN, mean: NaN, std: NaN };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / data.length;
  let ss = 0;
  for (let i = 0; i < data.length; i++) ss += (data[i] - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(ss / data.length) };
}
