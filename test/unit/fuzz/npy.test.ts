/**
 * `.npy` files, fuzzed: random arrays of every supported dtype round-trip; mutated files (bytes, and the header
 * text: shapes, dtypes, order, version and header length) give an array or a plain Error naming the file, and
 * never ask for more memory than the file justifies.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { decodeNpy, encodeNpy, NpyFile, parseNpyHeader } from '../../../src/data/npy';
import type * as torch from '../../../src/engine';
import { trackAllocations } from './alloc-spy';
import { byteMutation, checkIntegerValues, checkOutcome, mutateBytes } from './mutate';
import { runs } from './runs';
import { INTEGRAL, sameTensor, tensorArb } from './tensors';

const FILE = 'fuzz.npy';

function checkDecoded(t: torch.Tensor): void {
  assert.equal(t.toArray().length, t.shape.reduce((a, b) => a * b, 1));
  if (INTEGRAL.has(t.dtype)) checkIntegerValues(t.toArray(), FILE);
}

const SHAPES = ['()', '(0,)', '(3,)', '(1000000, 1000000)', '(-1,)', '(2, 3', '(1e3,)', '(3L, 2L)', '(18446744073709551616,)', '(9007199254740993,)', '(2,,3)', '(,)', "('a',)", '(' + '1, '.repeat(300) + ')', '(99999999999, 99999999999, 99999999999)'];
const DESCRS = ['<f4', '<f8', '<i8', '|u1', '|b1', '<f2', '>f4', '|O', '<U5', '<c8', '<i4', '', "'", '<f4<f4'];

/** Rewrites the header dict's text, then (maybe) fixes the header length field so the rest still lines up. */
const headerEdit = fc.record({
  shape: fc.option(fc.constantFrom(...SHAPES), { nil: undefined }),
  descr: fc.option(fc.constantFrom(...DESCRS), { nil: undefined }),
  fortran: fc.option(fc.constantFrom('True', 'False', 'Maybe'), { nil: undefined }),
  drop: fc.option(fc.constantFrom('descr', 'shape', 'fortran_order'), { nil: undefined }),
  version: fc.option(fc.constantFrom(1, 2, 3, 4, 0, 255), { nil: undefined }),
  fixLength: fc.boolean(),
  lengthDelta: fc.integer({ min: -3, max: 3 }),
});
type HeaderEdit = typeof headerEdit extends fc.Arbitrary<infer T> ? T : never;

function editHeader(buf: Uint8Array, e: HeaderEdit): Uint8Array {
  const len = new DataView(buf.buffer, buf.byteOffset).getUint16(8, true);
  let text = Buffer.from(buf.subarray(10, 10 + len)).toString('latin1');
  if (e.shape !== undefined) text = text.replace(/\(([^)]*)\)/, e.shape);
  if (e.descr !== undefined) text = text.replace(/'descr': '[^']*'/, `'descr': '${e.descr}'`);
  if (e.fortran !== undefined) text = text.replace(/(True|False)/, e.fortran);
  if (e.drop !== undefined) text = text.replace(new RegExp(`'${e.drop}': [^,]*,`), '');
  const data = buf.subarray(10 + len);
  const major = e.version ?? 1;
  const pre = major >= 2 ? 12 : 10;
  const head = Buffer.from(text, 'latin1');
  const out = new Uint8Array(pre + head.byteLength + data.byteLength);
  out.set(buf.subarray(0, 6));
  out[6] = major;
  const stated = e.fixLength ? head.byteLength : head.byteLength + e.lengthDelta;
  if (pre === 12) new DataView(out.buffer).setUint32(8, Math.max(0, stated), true);
  else new DataView(out.buffer).setUint16(8, Math.max(0, Math.min(65535, stated)), true);
  out.set(head, pre);
  out.set(data, pre + head.byteLength);
  return out;
}

describe('.npy fuzzing (fast-check, fixed seeds)', function () {
  this.timeout(60_000);

  it(`random arrays round-trip (${runs('npyRoundTrip').numRuns} cases)`, () => {
    fc.assert(
      fc.property(tensorArb, (t) => {
        const back = decodeNpy(encodeNpy(t), FILE);
        assert.ok(sameTensor(t, back), `${t.dtype} [${t.shape.join(', ')}]`);
      }),
      runs('npyRoundTrip'),
    );
  });

  it(`mutated bytes: an array or a clear error, no oversized allocation (${runs('npyMutated').numRuns} cases)`, () => {
    fc.assert(
      fc.property(tensorArb, fc.array(byteMutation, { minLength: 1, maxLength: 4 }), (t, ms) => {
        const good = encodeNpy(t);
        const buf = ms.reduce<Uint8Array>((b, m) => mutateBytes(b, m, parseNpyHeader(good, FILE).dataOffset), good);
        const r = trackAllocations(() => decodeNpy(buf, FILE));
        const out = checkOutcome(FILE, r, 8 * buf.byteLength + 1024);
        if (out) checkDecoded(out);
      }),
      runs('npyMutated'),
    );
  });

  it(`edited header text (shape, dtype, order, version, length): an array or a clear error (${runs('npyHeaderText').numRuns} cases)`, () => {
    fc.assert(
      fc.property(tensorArb, headerEdit, (t, e) => {
        const buf = editHeader(encodeNpy(t), e);
        const r = trackAllocations(() => decodeNpy(buf, FILE));
        const out = checkOutcome(FILE, r, 8 * buf.byteLength + 1024);
        if (out) checkDecoded(out);
      }),
      runs('npyHeaderText'),
    );
  });

  it(`files on disk: the header is checked against the file size before the data is read (${runs('npyFiles').numRuns} cases)`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-fuzz-npy-'));
    const file = path.join(dir, FILE);
    try {
      fc.assert(
        fc.property(tensorArb, headerEdit, fc.array(byteMutation, { maxLength: 2 }), (t, e, ms) => {
          const bytes = ms.reduce<Uint8Array>((b, m) => mutateBytes(b, m, 64), editHeader(encodeNpy(t), e));
          fs.writeFileSync(file, bytes);
          const r = trackAllocations(() => {
            const f = NpyFile.open(file);
            try {
              return f.read();
            } finally {
              f.close();
            }
          });
          const out = checkOutcome(file, r, 8 * bytes.byteLength + 1024);
          if (out) checkDecoded(out);
        }),
        runs('npyFiles'),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a header claiming 10^12 elements is refused before anything is allocated', () => {
    const text = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }\n";
    const buf = new Uint8Array(10 + text.length + 64);
    buf.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(buf.buffer).setUint16(8, text.length, true);
    buf.set(Buffer.from(text, 'latin1'), 10);
    const r = trackAllocations(() => decodeNpy(buf, FILE));
    assert.ok(r.error instanceof Error);
    assert.equal(r.error.message, `${FILE}: truncated: shape (1000000, 1000000) of float32 needs 4000000000000 bytes of data, the file holds 64`);
    assert.equal(r.largest, 0);
  });
});
