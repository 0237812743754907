// The WebAssembly SIMD kernels against the JavaScript loops they replace (which stay as the fallback), the arena
// parameters live in, and the committed module being built from the committed C source.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import * as torch from '../../../src/engine';
import { gemmNN, gemmNT, gemmTN } from '../../../src/engine/kernels/gemm';
import { Un, reluBackward, unaryKernel } from '../../../src/engine/kernels/unary';
import { Heap, instantiateKernels, isPinned, kernelBuilds, setKernelBackend, unsharedCopy, wasmBytesToUnit, wasmKernels, wasmLinearForward, wasmWeightGrad } from '../../../src/engine/kernels/wasm';
import { sourceSha256 } from '../../../src/engine/kernels/wasm/kernels-wasm';
import { loadEmbedded } from '../../../src/data/dataset';

const { nn, optim } = torch;
const F = nn.functional;
const root = path.join(__dirname, '..', '..', '..');

function withBackend<T>(b: 'js' | 'wasm', f: () => T): T {
  setKernelBackend(b);
  try {
    return f();
  } finally {
    setKernelBackend(undefined);
  }
}

function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

describe('WebAssembly SIMD kernels', () => {
  it('are the ones Node 20 runs (not a silent fallback to JavaScript)', () => {
    assert.equal(torch.kernelBackend(), 'wasm');
    assert.equal(withBackend('js', () => torch.kernelBackend()), 'js');
  });

  it('kernels-wasm.ts is built from the committed kernels.c (node scripts/build-wasm.mjs)', () => {
    const c = readFileSync(path.join(root, 'src/engine/kernels/wasm/kernels.c'));
    assert.equal(sourceSha256, createHash('sha256').update(c).digest('hex'));
  });

  it('the copy for hosts without shared WebAssembly memory (its import flag cleared) loads and gives the same bits', () => {
    const builds = kernelBuilds();
    assert.equal(builds[1][0].length, builds[0][0].length);
    assert.equal(builds[0][0].filter((v, i) => v !== builds[1][0][i]).length, 1, 'one byte differs');
    assert.throws(() => unsharedCopy(builds[1][0]), /no shared memory import/);
    const [shared, local] = builds.map(([bytes, s]) => instantiateKernels(bytes, s));
    assert.equal(shared.shared, true);
    assert.equal(local.shared, false);
    const M = 13, N = 21, K = 301;
    const A = randomArray(M * K, 1), B = randomArray(N * K, 2), G = randomArray(N * K, 3);
    const outs = [shared, local].map((w) => {
      const at = 1 << 20, a = at, b = a + 4 * M * K, c = b + 4 * N * K, p = c + 4 * M * N, g = p + 4 * N * K, r = g + 4 * N * K;
      w.f32.set(A, a / 4); w.f32.set(B, b / 4); w.f32.set(B, p / 4); w.f32.set(G, g / 4);
      w.k.gemm_nt(M, N, K, a, K, b, K, c, N, 0);
      w.k.sgd_f32(p, g, N * K, Math.fround(-0.3));
      w.k.relu_f32(r, g, N * K);
      return [c / 4, p / 4, r / 4].map((o, i) => w.f32.slice(o, o + [M * N, N * K, N * K][i]));
    });
    for (let i = 0; i < 3; i++) assert.deepEqual(outs[1][i], outs[0][i], ['gemm_nt', 'sgd_f32', 'relu_f32'][i]);
  });

  it('ReLU, its backward, the sigmoid and column sums agree with the JavaScript loops on any length (tails included)', () => {
    for (const n of [1, 3, 5, 63, 64, 4097, 4099, 10_003]) {
      const x = randomArray(n, n).map((v, i) => (i % 17 === 0 ? 0 : i % 29 === 0 ? -0 : v * (i % 3 ? 9 : 120)));
      if (n > 8) { x[1] = NaN; x[2] = Infinity; x[3] = -Infinity; x[4] = -88.72283905206835; x[5] = -89; }
      const g = randomArray(n, n + 1);
      const both = (f: (out: Float32Array) => void) => [withBackend('js', () => { const o = new Float32Array(n); f(o); return o; }), (() => { const o = new Float32Array(n); f(o); return o; })()];
      const check = ([js, wasm]: Float32Array[], what: string) => {
        for (let i = 0; i < n; i++) assert.ok(Object.is(js[i], wasm[i]) || (Number.isNaN(js[i]) && Number.isNaN(wasm[i])), `${what} n=${n} [${i}] (x ${x[i]}): js ${js[i]}, wasm ${wasm[i]}`);
      };
      check(both((o) => unaryKernel(Un.Relu, n, o, x, 0)), 'relu');
      check(both((o) => unaryKernel(Un.Sigmoid, n, o, x, 0)), 'sigmoid');
      check(both((o) => reluBackward(n, o, g, 0, x, 0)), 'relu backward');
      const cols = n % 7 === 0 ? 7 : 1 + (n % 13);
      const rows = Math.floor(n / cols);
      const t = new torch.Tensor(x.slice(0, rows * cols).map((v) => (Number.isFinite(v) ? v : 0.5)), [rows, cols]);
      check([withBackend('js', () => t.sum(0).toArray() as Float32Array), t.sum(0).toArray() as Float32Array], 'column sums');
    }
  });

  it('the sigmoid kernel gives the JavaScript loop\'s float32 numbers over a million inputs', () => {
    const n = 1 << 20;
    const x = randomArray(n, 99).map((v, i) => v * [1, 10, 100][i % 3]);
    const js = withBackend('js', () => { const o = new Float32Array(n); unaryKernel(Un.Sigmoid, n, o, x, 0); return o; });
    const wasm = new Float32Array(n);
    unaryKernel(Un.Sigmoid, n, wasm, x, 0);
    let differ = 0;
    for (let i = 0; i < n; i++) if (js[i] !== wasm[i]) differ++;
    // Its float64 exp is within an ulp of Math.exp; that moves a float32 result only at a rounding boundary.
    assert.ok(differ <= 2, `${differ} of ${n} differ`);
  });

  const dims = fc.record({
    M: fc.integer({ min: 1, max: 37 }), N: fc.integer({ min: 1, max: 37 }), K: fc.integer({ min: 1, max: 90 }),
    pad: fc.integer({ min: 0, max: 5 }), off: fc.integer({ min: 0, max: 7 }), acc: fc.boolean(), seed: fc.nat(),
  });

  for (const [name, kernel] of [['NN: x·W', gemmNN], ['NT: x·Wᵀ (the Linear forward)', gemmNT], ['TN: gᵀ·x (the weight gradient)', gemmTN]] as const) {
    it(`${name} agrees with the JavaScript loop for any shape, offset, leading dimension and accumulation`, () => {
      fc.assert(fc.property(dims, ({ M, N, K, pad, off, acc, seed }) => {
        // Operand shapes as each kernel reads them: NN A[M,K] B[K,N]; NT A[M,K] Bt[N,K]; TN At[K,M] B[K,N].
        const [ar, ac] = kernel === gemmTN ? [K, M] : [M, K];
        const [br, bc] = kernel === gemmNT ? [N, K] : [K, N];
        const lda = ac + pad, ldb = bc + pad, ldc = N + pad;
        const A = randomArray(off + ar * lda, seed), B = randomArray(off + br * ldb, seed + 1);
        const C0 = randomArray(off + M * ldc, seed + 2);
        const run = (b: 'js' | 'wasm') => withBackend(b, () => {
          const C = C0.slice();
          kernel(M, N, K, A, off, lda, B, off, ldb, C, off, ldc, acc);
          return C;
        });
        const js = run('js'), wasm = run('wasm');
        for (let i = 0; i < js.length; i++) {
          const inside = i >= off && (i - off) % ldc < N && i - off < M * ldc;
          if (!inside) assert.equal(wasm[i], C0[i], `element ${i} outside C was written`);
          else assert.ok(Math.abs(wasm[i] - js[i]) <= 1e-5 * (K + 1), `C[${i}]: wasm ${wasm[i]} vs js ${js[i]}`);
        }
      }), { seed: 20261130, numRuns: 300 });
    });
  }

  /** x with about `zeros` of its values, and of its four-wide segments, exactly zero (as image pixels). */
  function sparseArray(n: number, seed: number, zeros: number): Float32Array {
    const a = randomArray(n, seed);
    const pick = randomArray(n, seed + 7);
    for (let i = 0; i < n; i++) if ((pick[i] + 1) / 2 < zeros || (pick[i & ~3] + 1) / 2 < zeros / 2) a[i] = 0;
    return a;
  }

  const sparseDims = fc.record({
    M: fc.integer({ min: 1, max: 23 }), N: fc.integer({ min: 1, max: 41 }), K: fc.integer({ min: 64, max: 150 }),
    pad: fc.integer({ min: 0, max: 5 }), off: fc.integer({ min: 0, max: 7 }), acc: fc.boolean(), seed: fc.nat(),
    zeros: fc.constantFrom(0, 0.3, 0.8, 0.97, 1), bad: fc.constantFrom('none', 'nan', 'inf'),
  });

  it('the sparse Linear forward (zero segments of x skipped) agrees with the dense product, NaN and inf included', () => {
    fc.assert(fc.property(sparseDims, ({ M, N, K, pad, off, acc, seed, zeros, bad }) => {
      const ldx = K + pad, ldw = K + pad, ldc = N + pad;
      const X = sparseArray(off + M * ldx, seed, zeros), W = randomArray(off + N * ldw, seed + 1);
      if (bad !== 'none') W[off + (seed % N) * ldw + (seed % K)] = bad === 'nan' ? NaN : Infinity; // 0·inf must stay NaN
      const C0 = randomArray(off + M * ldc, seed + 2);
      const js = C0.slice(), wasm = C0.slice();
      withBackend('js', () => gemmNT(M, N, K, X, off, ldx, W, off, ldw, js, off, ldc, acc));
      assert.ok(wasmLinearForward(M, N, K, X, off, ldx, W, off, ldw, wasm, off, ldc, acc));
      for (let i = 0; i < js.length; i++) {
        if (Number.isNaN(js[i])) assert.ok(Number.isNaN(wasm[i]), `C[${i}]: js NaN, wasm ${wasm[i]}`);
        else assert.ok(Math.abs(wasm[i] - js[i]) <= 1e-5 * (K + 1) || wasm[i] === js[i], `C[${i}]: wasm ${wasm[i]} vs js ${js[i]}`);
      }
    }), { seed: 20261130, numRuns: 300 });
  });

  it('the sparse weight gradient (rows of x that are zero in a segment skipped) agrees with the dense gᵀ·x', () => {
    fc.assert(fc.property(sparseDims, ({ M: R, N: M, K: N, pad, off, acc, seed, zeros, bad }) => {
      const ldg = M + pad, ldx = N + pad, ldc = N + pad;
      const G = randomArray(off + R * ldg, seed), X = sparseArray(off + R * ldx, seed + 1, zeros);
      if (bad !== 'none') G[off + (seed % R) * ldg + (seed % M)] = bad === 'nan' ? NaN : Infinity;
      const C0 = randomArray(off + M * ldc, seed + 2);
      const js = C0.slice(), wasm = C0.slice();
      withBackend('js', () => gemmTN(M, N, R, G, off, ldg, X, off, ldx, js, off, ldc, acc));
      assert.ok(wasmWeightGrad(M, N, R, G, off, ldg, X, off, ldx, wasm, off, ldc, acc));
      for (let i = 0; i < js.length; i++) {
        if (Number.isNaN(js[i])) assert.ok(Number.isNaN(wasm[i]), `C[${i}]: js NaN, wasm ${wasm[i]}`);
        else assert.ok(Math.abs(wasm[i] - js[i]) <= 1e-5 * (R + 1) || wasm[i] === js[i], `C[${i}]: wasm ${wasm[i]} vs js ${js[i]}`);
      }
    }), { seed: 20261130, numRuns: 300 });
  });

  it('turns image bytes into exactly the DataLoader table\'s floats, Math.fround(v / 255), for all 256 grey levels', () => {
    const src = new Uint8Array(3 + 2 * 300);
    for (let i = 0; i < src.length; i++) src[i] = (i * 37 + 11) & 255;
    for (let v = 0; v < 256; v++) src[3 + v] = v;
    const out = new Float32Array(2 * 300 + 5).fill(-1);
    assert.ok(wasmBytesToUnit(out, 5, src, [3, 303], 2, 300));
    for (let i = 0; i < 600; i++) assert.equal(out[5 + i], Math.fround(src[3 + i] / 255), `grey level ${src[3 + i]}`);
    for (let i = 0; i < 5; i++) assert.equal(out[i], -1, 'nothing before the output written');
  });

  it('propagates NaN and infinity as the JavaScript loops do', () => {
    const A = randomArray(64 * 64, 1), B = randomArray(64 * 64, 2);
    A[5] = NaN;
    B[64 * 3 + 7] = Infinity;
    const run = (b: 'js' | 'wasm') => withBackend(b, () => {
      const C = new Float32Array(64 * 64);
      gemmNT(64, 64, 64, A, 0, 64, B, 0, 64, C, 0, 64, false);
      return C;
    });
    const js = run('js'), wasm = run('wasm');
    for (let i = 0; i < js.length; i++) assert.equal(Number.isNaN(wasm[i]), Number.isNaN(js[i]), `C[${i}]`);
  });

  it('a plain SGD step gives the same bits as the JavaScript loop (one rounding, as PyTorch)', () => {
    const train = (b: 'js' | 'wasm') => withBackend(b, () => {
      torch.manualSeed(3);
      const lin = new nn.Linear(300, 40);
      const opt = new optim.SGD(lin.parameters(), { lr: 0.37 });
      const x = torch.rand([8, 300]);
      for (let s = 0; s < 3; s++) {
        opt.zeroGrad();
        lin.forward(x).pow(2).sum().backward();
        (lin.weight.grad as torch.Tensor).copy_(torch.rand([40, 300]).sub(0.5)); // same gradient on both
        opt.step();
      }
      return lin.weight.toArray();
    });
    assert.deepEqual(train('wasm'), train('js'));
  });

  it('the notebook MLP trains to the same loss on both (float32 rounding apart)', () => {
    const { train } = loadEmbedded(path.join(root, 'media', 'mnist'));
    const n = 300;
    const x = torch.tensor(Float32Array.from(train.images.subarray(0, n * 784), (v) => v / 255)).view(n, 784);
    const y = torch.tensor(Float64Array.from(train.labels.subarray(0, n)), { dtype: 'int64' });
    const losses = (b: 'js' | 'wasm') => withBackend(b, () => {
      torch.manualSeed(0);
      const model = new nn.Sequential([['W1', new nn.Linear(784, 64)], ['act', new nn.Sigmoid()], ['W2', new nn.Linear(64, 10)]]);
      const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
      const out: number[] = [];
      for (let i = 0; i < n; i += 10) {
        opt.zeroGrad();
        const loss = F.crossEntropy(model.forward(x.index(`${i}:${i + 10}`)), y.index(`${i}:${i + 10}`));
        loss.backward();
        opt.step();
        out.push(loss.item());
      }
      return out;
    });
    const js = losses('js'), wasm = losses('wasm');
    js.forEach((l, i) => assert.ok(Math.abs(l - wasm[i]) < 1e-4, `step ${i}: js ${l} vs wasm ${wasm[i]}`));
  });
});

describe('the kernels arena', () => {
  it("holds a Linear's weight and, after backward, its gradient; what leaves the engine is a copy", () => {
    const lin = new nn.Linear(784, 64);
    assert.ok(isPinned(lin.weight.storage));
    lin.forward(torch.rand([2, 784])).sum().backward();
    assert.ok(isPinned((lin.weight.grad as torch.Tensor).storage));
    const arena = wasmKernels()?.memory.buffer;
    assert.notEqual(lin.weight.toArray().buffer, arena);
    assert.notEqual(lin.weight.index('3').contiguous().toArray().buffer, arena);
    assert.notEqual(lin.weight.index('3').view(28, 28).toArray().buffer, arena);
  });

  it('a small parameter (a bias) stays an ordinary array', () => {
    assert.ok(!isPinned((new nn.Linear(784, 64).bias as torch.Tensor).storage));
  });

  it('the allocator reuses freed blocks, coalesces neighbours and says when it is full', () => {
    const h = new Heap(0, 1024);
    const a = h.alloc(100), b = h.alloc(100), c = h.alloc(100);
    assert.deepEqual([a, b, c], [0, 128, 256]);
    assert.equal(h.alloc(1024), -1);
    h.release(b);
    h.release(a);
    assert.equal(h.alloc(200), 0, 'a and b coalesced into one block of 256 bytes');
    h.release(c);
    assert.equal(h.alloc(700), 256);
    assert.equal(h.used, 256 + 704);
  });
});
