// The sparse scans' memo (src/engine/kernels/scan-memo.ts): a shape whose scans keep finding too few zeros goes
// dense for a while and is scanned again after; one that pays is always scanned; shapes are kept apart. And the
// Linear forward and weight gradient give the same numbers whether or not the memo lets a scan run.
import { strict as assert } from 'node:assert';
import { FAILS_TO_REST, REST, ScanMemo } from '../../../src/engine/kernels/scan-memo';
import { allocPinned, wasmLinearForward, wasmWeightGrad } from '../../../src/engine/kernels/wasm';

/** How many of `calls` calls of one shape are scanned when every scan's verdict is `paid`. */
function scanned(memo: ScanMemo, calls: number, paid: (call: number) => boolean, rows = 10, cols = 784): number {
  let n = 0;
  for (let c = 0; c < calls; c++) {
    if (!memo.shouldScan(rows, cols)) continue;
    n++;
    memo.record(rows, cols, paid(c));
  }
  return n;
}

describe('the sparse scans\' memo', () => {
  it('scans a shape whose scans pay every time', () => {
    assert.equal(scanned(new ScanMemo(), 500, () => true), 500);
  });

  it(`rests a shape for ${REST} calls after ${FAILS_TO_REST} failed scans in a row, then scans it again`, () => {
    const memo = new ScanMemo();
    assert.equal(scanned(memo, FAILS_TO_REST, () => false), FAILS_TO_REST);
    assert.equal(scanned(memo, REST, () => false), 0, 'the next calls go dense without a scan');
    assert.equal(scanned(memo, 1, () => false), 1, 'then one scan');
    assert.equal(scanned(memo, REST, () => false), 0, 'which failed: another rest');
    // A scan that pays ends the rest: every call is scanned again.
    assert.equal(scanned(memo, 1, () => true), 1);
    assert.equal(scanned(memo, 50, () => true), 50);
    // Failures that do not come in a row do not rest it.
    assert.equal(scanned(memo, 60, (c) => c % FAILS_TO_REST !== 0), 60);
  });

  it('keeps shapes apart', () => {
    const memo = new ScanMemo();
    scanned(memo, FAILS_TO_REST, () => false, 10, 784);
    assert.equal(scanned(memo, 20, () => true, 64, 784), 20, 'another batch size is still scanned');
    assert.equal(scanned(memo, 20, () => true, 10, 256), 20, 'another width is still scanned');
    assert.equal(scanned(memo, 20, () => true, 10, 784), 0, 'the resting one is not');
  });

  it('changes no number: a sparse batch after dense ones of its shape gives the bits it gives alone', () => {
    // A shape no other test uses, so that its first scan is this test's (and pays: three quarters zeros).
    const M = 7, K = 788, N = 40;
    const W = allocPinned(N * K)!, X = allocPinned(M * K)!;
    for (let i = 0; i < W.length; i++) W[i] = Math.sin(i) * 0.05;
    const G = Float32Array.from({ length: M * N }, (_, i) => Math.cos(i) * 0.1);
    const run = (zeros: boolean): [Float32Array, Float32Array] => {
      for (let i = 0; i < X.length; i++) X[i] = zeros && (i % K < 100 || i % K >= 300) ? 0 : ((i * 7919) % 255 + 1) / 256;
      const C = new Float32Array(M * N).fill(0.5), D = new Float32Array(N * K);
      assert.ok(wasmLinearForward(M, N, K, X, 0, K, W, 0, K, C, 0, N, true));
      assert.ok(wasmWeightGrad(N, K, M, G, 0, N, X, 0, K, D, 0, K, false));
      return [C, D];
    };
    const alone = run(true); // scanned: the sparse kernels
    for (let i = 0; i < 3 * FAILS_TO_REST; i++) run(false); // dense batches: the shape rests
    const after = run(true); // not scanned: the dense kernels
    assert.deepEqual(after[0], alone[0], 'forward');
    assert.deepEqual(after[1], alone[1], 'weight gradient');
  });
});
