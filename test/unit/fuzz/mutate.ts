/** Byte-level mutations of a file's bytes, and the checks every reader's outcome must pass, for the format fuzzers. */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { AllocReport } from './alloc-spy';

export type ByteMutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: number[] }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'u32'; at: number; value: number; bigEndian: boolean };

/** Values that break size fields: zero, off by one, the int32 and uint32 edges, a million (10^12 when squared). */
export const NASTY_U32 = [0, 1, 2, 255, 256, 0x7fffffff, 0x80000000, 0xffffffff, 1_000_000, 65535, 65536];

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...NASTY_U32), fc.nat()), bigEndian: fc.boolean() }),
);

/** `at` positions are taken modulo the length; the header is hit more often (`headerBias` of the cases). */
export function mutateBytes(buf: Uint8Array, m: ByteMutation, headerLength = 0): Uint8Array {
  const n = buf.byteLength;
  const pos = (at: number): number => {
    if (n === 0) return 0;
    if (headerLength > 0 && at % 3 !== 0) return at % Math.min(n, headerLength);
    return at % n;
  };
  switch (m.kind) {
    case 'flip': {
      if (n === 0) return buf;
      const out = buf.slice();
      out[pos(m.at)] ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      if (n === 0) return buf;
      const out = buf.slice();
      out[pos(m.at)] = m.value;
      return out;
    }
    case 'truncate':
      return buf.slice(0, n === 0 ? 0 : m.at % n);
    case 'append': {
      const out = new Uint8Array(n + m.bytes.length);
      out.set(buf);
      out.set(m.bytes, n);
      return out;
    }
    case 'delete': {
      const at = pos(m.at);
      const out = new Uint8Array(Math.max(0, n - Math.min(m.len, n - at)));
      out.set(buf.subarray(0, at));
      out.set(buf.subarray(at + m.len), at);
      return out;
    }
    case 'u32': {
      if (n < 4) return buf;
      const out = buf.slice();
      const at = pos(m.at) - (pos(m.at) % 4);
      new DataView(out.buffer).setUint32(Math.min(at, n - 4), m.value >>> 0, !m.bigEndian);
      return out;
    }
  }
}

/**
 * Every reader's outcome: a value, or an `Error` (not a RangeError, TypeError, ...) whose message starts with the
 * file's name and stays readable; and no buffer larger than `maxBytes` requested on the way.
 */
export function checkOutcome<T>(file: string, r: AllocReport<T>, maxBytes: number): T | null {
  assert.ok(r.largest <= maxBytes, `${file}: asked for a ${r.largest}-byte buffer; the file justifies at most ${maxBytes}`);
  if (r.error === undefined) return r.result as T;
  const e = r.error;
  assert.ok(e instanceof Error && Object.getPrototypeOf(e) === Error.prototype, `${file}: not a plain Error: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
  assert.ok(e.message.startsWith(`${file}: `), `the message names the file: ${e.message}`);
  assert.ok(e.message.length > file.length + 8 && e.message.length <= 1000, `a readable message (${e.message.length} characters): ${e.message.slice(0, 300)}`);
  return null;
}

/** No NaN or non-integer where the file's dtype cannot hold one (an out-of-bounds read would give NaN). */
export function checkIntegerValues(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isInteger(values[i])) assert.fail(`${what}: element ${i} is ${values[i]}, not an integer`);
  }
}
