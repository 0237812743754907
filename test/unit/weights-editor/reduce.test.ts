/**
 * The streaming reductions of the weight-file editor, chunk by chunk as files are read: statistics equal to the
 * engine's (torch.min/max/mean/std), and the max-abs picture equal to a brute-force block scan, for random sizes,
 * block shapes and chunkings, NaN and infinities included.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as torch from '../../../src/engine';
import { MaxAbsBlocks, StatsSink } from '../../../src/extension/weights/reduce';

/** Feeds `data` to a sink in chunks of the given sizes (cycled). */
function feed(sink: { take(v: Float32Array, n: number, pos: number): void }, data: Float32Array, chunks: number[]): void {
  let pos = 0;
  let k = 0;
  while (pos < data.length) {
    const n = Math.min(chunks[k++ % chunks.length], data.length - pos);
    // The sink may only read values[0..n): give it a larger buffer holding garbage after them.
    const buf = new Float32Array(n + 3).fill(1e30);
    buf.set(data.subarray(pos, pos + n));
    sink.take(buf, n, pos);
    pos += n;
  }
}

const close = (a: number, b: number, tol: number): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

describe('weights editor: streaming statistics and max-abs blocks', () => {
  it('statistics equal the engine\'s min, max, mean and unbiased std for any chunking', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 5 }), fc.double({ min: -50, max: 50, noNaN: true }), (n, chunks, offset) => {
        torch.manualSeed(n);
        const t = torch.randn([n]).add(offset);
        const data = t.toArray() as Float32Array;
        const s = new StatsSink();
        feed(s, data, chunks);
        const r = s.result();
        const d = t.double();
        assert.equal(r.min, d.min().item());
        assert.equal(r.max, d.max().item());
        assert.ok(close(r.mean as number, d.mean().item(), 1e-9), `mean ${r.mean} vs ${d.mean().item()}`);
        if (n > 1) assert.ok(close(r.std as number, d.std().item(), 1e-9), `std ${r.std} vs ${d.std().item()}`);
        else assert.equal(r.std, 'nan');
        assert.equal(r.nan, 0);
      }),
      { numRuns: 200, seed: 771 },
    );
  });

  it('a NaN makes every statistic nan (as in PyTorch) and is counted; infinities are min/max', () => {
    const s = new StatsSink();
    feed(s, Float32Array.from([1, NaN, 3, NaN]), [3]);
    assert.deepEqual(s.result(), { min: 'nan', max: 'nan', mean: 'nan', std: 'nan', nan: 2 });
    const t = new StatsSink();
    feed(t, Float32Array.from([1, Infinity, -2]), [2]);
    assert.deepEqual(t.result(), { min: -2, max: 'inf', mean: 'inf', std: 'nan', nan: 0 });
    const e = new StatsSink();
    assert.deepEqual(e.result(), { min: 'nan', max: 'nan', mean: 'nan', std: 'nan', nan: 0 });
  });

  it('stays exact over a large tensor with a large mean (shifted sums, merged per chunk)', () => {
    const n = 3_000_000;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = 1000 + ((i * 7919) % 1000) / 1000;
    const s = new StatsSink();
    feed(s, data, [1 << 20]);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (data[i] - mean) ** 2;
    const r = s.result();
    assert.ok(close(r.mean as number, mean, 1e-12));
    assert.ok(close(r.std as number, Math.sqrt(ss / (n - 1)), 1e-9), `${r.std} vs ${Math.sqrt(ss / (n - 1))}`);
  });

  it('each cell keeps its block\'s largest |value| (sign kept) and where it is, for any block shape and chunking', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 9 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 4 }), fc.boolean(), (rows, cols, br, bc, chunks, nan) => {
          const data = new Float32Array(rows * cols);
          for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.sin(i * 12.9898 + rows) * 43758.5453 % 1 * 2000) / 1000;
          if (nan) data[Math.floor(data.length / 2)] = NaN;
          const b = new MaxAbsBlocks(rows, cols, br, bc);
          feed(b, data, chunks);
          assert.equal(b.cellRows, Math.ceil(rows / br));
          assert.equal(b.cellCols, Math.ceil(cols / bc));
          for (let R = 0; R < b.cellRows; R++) {
            for (let C = 0; C < b.cellCols; C++) {
              let best = -1;
              let hasNaN = false;
              for (let r = R * br; r < Math.min(rows, (R + 1) * br); r++) {
                for (let c = C * bc; c < Math.min(cols, (C + 1) * bc); c++) {
                  const v = data[r * cols + c];
                  if (Number.isNaN(v)) hasNaN = true;
                  else best = Math.max(best, Math.abs(v));
                }
              }
              const cell = R * b.cellCols + C;
              const w = b.positions[cell];
              const r = R * br + Math.floor(w / bc);
              const c = C * bc + (w % bc);
              assert.ok(r < rows && c < cols, 'the position is inside the matrix');
              assert.ok(Object.is(data[r * cols + c], b.values[cell]), 'the shown value is the element at the position');
              if (hasNaN) assert.ok(Number.isNaN(b.values[cell]), 'a NaN shows');
              else assert.equal(Math.abs(b.values[cell]), best);
            }
          }
        }),
      { numRuns: 300, seed: 772 },
    );
  });
});
