/**
 * IDX files (the MNIST format), fuzzed: random valid files round-trip; mutated ones (bit flips, truncation, sizes
 * off by one, uint32 edges, 10^12-element claims) give the data or a plain Error naming the file, never a
 * partial array, and never ask for a buffer larger than the file justifies.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { encodeIdx, gunzip, parseIdx, readIdxFile } from '../../../src/data/idx';
import { trackAllocations } from './alloc-spy';
import { byteMutation, checkOutcome, mutateBytes } from './mutate';
import { runs } from './runs';

const FILE = 'fuzz-images-idx3-ubyte';
const idxArb = fc
  .array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 4 })
  .chain((dims) => fc.tuple(fc.constant(dims), fc.uint8Array({ minLength: dims.reduce((a, b) => a * b, 1), maxLength: dims.reduce((a, b) => a * b, 1) })));

/** What a successful parse must be: dims whose product is the data length, the data a view of the file's tail. */
function checkParsed(buf: Uint8Array, r: { dims: number[]; data: Uint8Array }): void {
  assert.equal(r.data.byteLength, r.dims.reduce((a, b) => a * b, 1));
  assert.equal(4 + 4 * r.dims.length + r.data.byteLength, buf.byteLength, 'every byte accounted for');
  assert.ok(r.data.buffer === buf.buffer, 'a view, not a copy');
}

describe('IDX fuzzing (fast-check, fixed seeds)', function () {
  this.timeout(60_000);

  it(`random files round-trip (${runs('idxRoundTrip').numRuns} cases)`, () => {
    fc.assert(
      fc.property(idxArb, ([dims, data]) => {
        const r = parseIdx(encodeIdx(dims, data), FILE);
        assert.deepEqual(r.dims, dims);
        assert.deepEqual([...r.data], [...data]);
      }),
      runs('idxRoundTrip'),
    );
  });

  it(`mutated files: the data or a clear error, no oversized allocation (${runs('idxMutated').numRuns} cases)`, () => {
    fc.assert(
      fc.property(idxArb, fc.array(byteMutation, { minLength: 1, maxLength: 4 }), ([dims, data], ms) => {
        const good = encodeIdx(dims, data);
        const buf = ms.reduce<Uint8Array>((b, m) => mutateBytes(b, m, 4 + 4 * dims.length), good);
        const r = trackAllocations(() => parseIdx(buf, FILE));
        const parsed = checkOutcome(FILE, r, 8 * buf.byteLength + 1024);
        if (parsed) checkParsed(buf, parsed);
      }),
      runs('idxMutated'),
    );
  });

  it(`gzipped files on disk, mutated before or after compression (${runs('idxGzipFiles').numRuns} cases)`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-fuzz-idx-'));
    const file = path.join(dir, `${FILE}.gz`);
    try {
      fc.assert(
        fc.property(idxArb, fc.array(byteMutation, { minLength: 1, maxLength: 3 }), fc.boolean(), ([dims, data], ms, afterGzip) => {
          const raw = encodeIdx(dims, data);
          const bytes = afterGzip ? ms.reduce<Uint8Array>((b, m) => mutateBytes(b, m, 18), new Uint8Array(zlib.gzipSync(raw))) : new Uint8Array(zlib.gzipSync(ms.reduce<Uint8Array>((b, m) => mutateBytes(b, m, raw.byteLength), raw)));
          fs.writeFileSync(file, bytes);
          const r = trackAllocations(() => readIdxFile(file));
          // A gzip stream may decompress to ~1000× its size; beyond that the content is refused anyway.
          const parsed = checkOutcome(file, r, 1100 * bytes.byteLength + 65536);
          if (parsed) assert.equal(parsed.data.byteLength, parsed.dims.reduce((a, b) => a * b, 1));
        }),
        runs('idxGzipFiles'),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a header claiming 10^12 values (or 2^128) is refused before anything is allocated', () => {
    const cases: number[][] = [[1_000_000, 1_000_000], [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [60000, 28, 28]];
    for (const dims of cases) {
      const buf = new Uint8Array(4 + 4 * dims.length + 16);
      buf[2] = 8;
      buf[3] = dims.length;
      dims.forEach((d, i) => new DataView(buf.buffer).setUint32(4 + 4 * i, d, false));
      const heapBefore = process.memoryUsage().arrayBuffers;
      const r = trackAllocations(() => parseIdx(buf, FILE));
      assert.ok(r.error instanceof Error && /truncated: the header declares .* values, the file holds 16 bytes of data$/.test(r.error.message), String(r.error));
      assert.equal(r.largest, 0, 'no buffer asked for');
      assert.ok(process.memoryUsage().arrayBuffers - heapBefore < 1 << 20);
    }
  });

  it('a gzip bomb is refused at the decompression cap, naming the file', () => {
    const bomb = zlib.gzipSync(Buffer.alloc(8 << 20)); // 8 MiB of zeros in ~8 KB
    assert.ok(bomb.byteLength < 10_000);
    assert.throws(() => gunzip(bomb, FILE, 1 << 20), new RegExp(`^Error: ${FILE}: decompresses to more than 1048576 bytes: refused$`));
  });
});
