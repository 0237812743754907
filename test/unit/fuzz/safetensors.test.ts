/**
 * safetensors files, fuzzed: random state dicts round-trip; mutated files (bytes, the header length, and the
 * JSON header: shapes, data_offsets off by one or huge, dtypes, missing keys, overlaps, gaps, metadata) give the
 * tensors or a plain Error naming the file, and never ask for more memory than the file justifies.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { decodeSafetensors, encodeSafetensors, SafetensorsFile } from '../../../src/data/safetensors';
import * as torch from '../../../src/engine';
import { trackAllocations } from './alloc-spy';
import { byteMutation, checkIntegerValues, checkOutcome, mutateBytes } from './mutate';
import { runs } from './runs';
import { INTEGRAL, sameTensor, tensorArb } from './tensors';

const FILE = 'fuzz.safetensors';
const NAMES = ['W1.weight', 'W1.bias', '0.weight', 'x', '', '__proto__', 'constructor', 'ünïcode 😀', 'n'.repeat(300), 'a"b\\c'];

const dictArb = fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), tensorArb), { minLength: 0, maxLength: 3, selector: ([n]) => n });

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function headerLen(buf: Uint8Array): number {
  return Number(new DataView(buf.buffer, buf.byteOffset).getBigUint64(0, true));
}

const WEIRD_NUMBERS: unknown[] = [0, -1, 1e12, 2 ** 53, 2 ** 64, 1.5, '3', null, [], 4_000_000_000_000];
const jsonEdit = fc.oneof(
  fc.record({ kind: fc.constant('number' as const), pick: fc.nat(), field: fc.constantFrom('shape', 'data_offsets'), slot: fc.nat(), delta: fc.oneof(fc.integer({ min: -2, max: 2 }).map((d) => ({ delta: d })), fc.constantFrom(...WEIRD_NUMBERS).map((v) => ({ value: v }))) }),
  fc.record({ kind: fc.constant('dtype' as const), pick: fc.nat(), value: fc.constantFrom<unknown>('F32', 'F64', 'I64', 'U8', 'BOOL', 'F16', 'BF16', 'I32', 'f32', '', 7, null) }),
  fc.record({ kind: fc.constant('drop' as const), pick: fc.nat(), key: fc.constantFrom('dtype', 'shape', 'data_offsets') }),
  fc.record({ kind: fc.constant('copy' as const), pick: fc.nat(), name: fc.constantFrom('extra', 'W1.weight') }),
  fc.record({ kind: fc.constant('metadata' as const), value: fc.constantFrom<unknown>({ __proto__: 'x' }, { format: 3 }, [], 'pt', null, { a: 'b'.repeat(1000) }) }),
  fc.record({ kind: fc.constant('replace' as const), text: fc.constantFrom('', '[]', 'null', '"str"', '{', '[['.repeat(5000), '{"a":1}', '{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}') }),
);
type JsonEdit = typeof jsonEdit extends fc.Arbitrary<infer T> ? T : never;

/** Applies an edit to the header JSON and re-encodes the file; the length field is exact, off by `lenDelta`, or 2^63. */
function editJson(buf: Uint8Array, e: JsonEdit, len: 'exact' | 'off' | 'huge', lenDelta: number): Uint8Array {
  const n = headerLen(buf);
  let header: Record<string, Record<string, unknown>>;
  try {
    header = JSON.parse(Buffer.from(buf.subarray(8, 8 + n)).toString('utf8')) as Record<string, Record<string, unknown>>;
  } catch {
    return buf; // an earlier edit replaced the JSON with text that is not
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return buf;
  const names = Object.keys(header).filter((k) => k !== '__metadata__' && typeof header[k] === 'object' && header[k] !== null && !Array.isArray(header[k]));
  const name = names.length ? names[(('pick' in e ? e.pick : 0) as number) % names.length] : undefined;
  let text: string | undefined;
  switch (e.kind) {
    case 'number': {
      if (name === undefined) break;
      const arr = header[name][e.field];
      if (!Array.isArray(arr) || arr.length === 0) break;
      const i = e.slot % arr.length;
      arr[i] = 'delta' in e.delta ? (arr[i] as number) + e.delta.delta : e.delta.value;
      break;
    }
    case 'dtype':
      if (name !== undefined) header[name].dtype = e.value;
      break;
    case 'drop':
      if (name !== undefined) delete header[name][e.key];
      break;
    case 'copy':
      if (name !== undefined) header[e.name] = { ...header[name] };
      break;
    case 'metadata':
      (header as Record<string, unknown>).__metadata__ = e.value;
      break;
    case 'replace':
      text = e.text;
      break;
  }
  const json = Buffer.from(text ?? JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + json.byteLength + (buf.byteLength - 8 - n));
  const stated = len === 'exact' ? BigInt(json.byteLength) : len === 'huge' ? 2n ** 63n : BigInt(Math.max(0, json.byteLength + lenDelta));
  new DataView(out.buffer).setBigUint64(0, stated, true);
  out.set(json, 8);
  out.set(buf.subarray(8 + n), 8 + json.byteLength);
  return out;
}

function checkDecoded(m: Map<string, torch.Tensor>): void {
  for (const [name, t] of m) {
    assert.equal(t.toArray().length, t.shape.reduce((a, b) => a * b, 1), name);
    if (INTEGRAL.has(t.dtype)) checkIntegerValues(t.toArray(), name);
  }
}

describe('safetensors fuzzing (fast-check, fixed seeds)', function () {
  this.timeout(60_000);

  it(`random state dicts round-trip (${runs('safetensorsRoundTrip').numRuns} cases)`, () => {
    fc.assert(
      fc.property(dictArb, (dict) => {
        const back = decodeSafetensors(concat(encodeSafetensors(dict)), FILE);
        assert.deepEqual([...back.keys()].sort(), dict.map(([n]) => n).sort());
        for (const [n, t] of dict) assert.ok(sameTensor(t, back.get(n) as torch.Tensor), n);
      }),
      runs('safetensorsRoundTrip'),
    );
  });

  it(`mutated bytes: the tensors or a clear error, no oversized allocation (${runs('safetensorsMutated').numRuns} cases)`, () => {
    fc.assert(
      fc.property(dictArb, fc.array(byteMutation, { minLength: 1, maxLength: 4 }), (dict, ms) => {
        const good = concat(encodeSafetensors(dict));
        const buf = ms.reduce<Uint8Array>((b, m) => mutateBytes(b, m, 8 + headerLen(good)), good);
        const r = trackAllocations(() => decodeSafetensors(buf, FILE));
        const out = checkOutcome(FILE, r, 8 * buf.byteLength + 1024);
        if (out) checkDecoded(out);
      }),
      runs('safetensorsMutated'),
    );
  });

  it(`edited JSON headers and header lengths: the tensors or a clear error (${runs('safetensorsHeaderJson').numRuns} cases)`, () => {
    fc.assert(
      fc.property(dictArb, fc.array(jsonEdit, { minLength: 1, maxLength: 3 }), fc.constantFrom('exact', 'exact', 'off', 'huge'), fc.integer({ min: -9, max: 9 }), (dict, edits, len, delta) => {
        const good = concat(encodeSafetensors(dict));
        const buf = edits.reduce<Uint8Array>((b, e, i) => editJson(b, e, i === edits.length - 1 ? len : 'exact', delta), good);
        const r = trackAllocations(() => decodeSafetensors(buf, FILE));
        const out = checkOutcome(FILE, r, 8 * buf.byteLength + 1024);
        if (out) checkDecoded(out);
      }),
      runs('safetensorsHeaderJson'),
    );
  });

  it(`files on disk: SafetensorsFile reads the header, checks it, then one tensor at a time (${runs('safetensorsFiles').numRuns} cases)`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-fuzz-st-'));
    const file = path.join(dir, FILE);
    try {
      fc.assert(
        fc.property(dictArb, jsonEdit, fc.array(byteMutation, { maxLength: 2 }), (dict, e, ms) => {
          const bytes = ms.reduce<Uint8Array>((b, m) => mutateBytes(b, m, 64), editJson(concat(encodeSafetensors(dict)), e, 'exact', 0));
          fs.writeFileSync(file, bytes);
          const r = trackAllocations(() => {
            const f = SafetensorsFile.open(file);
            try {
              return f.readAll();
            } finally {
              f.close();
            }
          });
          const out = checkOutcome(file, r, 8 * bytes.byteLength + 1024);
          if (out) checkDecoded(out);
        }),
        runs('safetensorsFiles'),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('headers claiming 10^12 elements or a 2^63-byte header are refused before anything is allocated', () => {
    const file = (header: string, stated?: bigint, data = 16): Uint8Array => {
      const json = Buffer.from(header);
      const out = new Uint8Array(8 + json.byteLength + data);
      new DataView(out.buffer).setBigUint64(0, stated ?? BigInt(json.byteLength), true);
      out.set(json, 8);
      return out;
    };
    const cases: [Uint8Array, RegExp][] = [
      [file('{"w":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,4000000000000]}}'), /tensor "w": data_offsets \[0, 4000000000000\] run past the end of the data \(16 bytes\): the file is truncated$/],
      [file('{"w":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,16]}}'), /tensor "w": F32 of shape \[1000000, 1000000\] needs 4000000000000 bytes, data_offsets \[0, 16\] hold 16$/],
      [file('{"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,16]}}'), /tensor "w": shape \[4294967296,4294967296,4294967296\] has too many elements$/],
      [file('{}', 2n ** 63n), /header length 9223372036854775808 is larger than the 100000000-byte limit: not a safetensors file\?$/],
      [file('{}', 99_999_999n), /header length 99999999 runs past the end of the file \(26 bytes\)$/],
    ];
    for (const [buf, re] of cases) {
      const r = trackAllocations(() => decodeSafetensors(buf, FILE));
      assert.ok(r.error instanceof Error && re.test(r.error.message) && r.error.message.startsWith(`${FILE}: `), String(r.error));
      assert.equal(r.largest, 0, 'no buffer asked for');
    }
  });

  it('"__proto__" and "constructor" are ordinary names: of tensors and of metadata keys', () => {
    const json = '{"__metadata__":{"__proto__":"x","format":"pt"}}';
    const f = new Uint8Array(8 + json.length);
    new DataView(f.buffer).setBigUint64(0, BigInt(json.length), true);
    f.set(Buffer.from(json), 8);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-fuzz-st-'));
    try {
      fs.writeFileSync(path.join(dir, FILE), f);
      const sf = SafetensorsFile.open(path.join(dir, FILE));
      sf.close();
      assert.deepEqual(Object.entries(sf.header.metadata), [['__proto__', 'x'], ['format', 'pt']]);
      assert.equal(Object.getPrototypeOf(sf.header.metadata), Object.prototype);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const back = decodeSafetensors(concat(encodeSafetensors([['__proto__', torch.ones([2])], ['constructor', torch.zeros([1])]])), FILE);
    assert.deepEqual([...back.keys()], ['__proto__', 'constructor']);
  });
});
