// The kernel helper thread (src/engine/kernels/helper.ts, started by src/train/kernel-threads.ts): every product
// and SGD step it shares gives the same bits as on one thread, a training run is bit-identical, and a helper that
// vanishes costs nothing but its help.
import { strict as assert } from 'node:assert';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import * as torch from '../../../src/engine';
import { gemmNN, gemmNT, gemmTN } from '../../../src/engine/kernels/gemm';
import { allocPinned, wasmLinearForward, wasmSgd, wasmWeightGrad } from '../../../src/engine/kernels/wasm';
import { SPLIT_MIN_MACS, SPLIT_MIN_SGD } from '../../../src/engine/kernels/split';
import { helperChunks } from '../../../src/engine/kernels/helper';
import { useKernelThreads } from '../../../src/train/kernel-threads';

const { nn, optim } = torch;
const F = nn.functional;

function randomArray(n: number, seed: number, zeros = 0): Float32Array {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Float32Array.from({ length: n }, () => (next() < zeros ? 0 : 2 * next() - 1));
}

type Kind = 'NT' | 'NN' | 'TN' | 'fwd' | 'wgrad';
interface Case { kind: Kind; M: number; N: number; K: number; pad: number; off: number; acc: boolean; seed: number; zeros: number; bad: 'none' | 'nan' | 'inf' }

/** Shapes large enough to be shared (M·N·K ≥ SPLIT_MIN_MACS), with odd sizes, offsets, leading dimensions. */
const cases: Case[] = fc.sample(
  fc.record({
    kind: fc.constantFrom<Kind>('NT', 'NN', 'TN', 'fwd', 'wgrad'),
    M: fc.integer({ min: 1, max: 70 }), N: fc.integer({ min: 8, max: 300 }), K: fc.integer({ min: 60, max: 900 }),
    pad: fc.integer({ min: 0, max: 5 }), off: fc.integer({ min: 0, max: 7 }), acc: fc.boolean(), seed: fc.nat(),
    zeros: fc.constantFrom(0, 0.5, 0.9), bad: fc.constantFrom<Case['bad']>('none', 'none', 'nan', 'inf'),
  }).filter((c) => c.M * c.N * c.K >= SPLIT_MIN_MACS),
  { seed: 20261130, numRuns: 60 },
);

/** One case's output (the kernels as the engine calls them; the helper takes part when attached). */
function run(c: Case): Float32Array {
  const { M, N, K, pad, off, acc, seed, zeros } = c;
  // Operands as each product reads them: NT/fwd A[M,K]·B[N,K]ᵀ; NN A[M,K]·B[K,N]; TN/wgrad A[K,M]ᵀ·B[K,N].
  const [ar, ac] = c.kind === 'TN' || c.kind === 'wgrad' ? [K, M] : [M, K];
  const [br, bc] = c.kind === 'NT' || c.kind === 'fwd' ? [N, K] : [K, N];
  const lda = ac + pad, ldb = bc + pad, ldc = N + pad;
  const sparseA = c.kind === 'fwd', sparseB = c.kind === 'wgrad';
  const A = randomArray(off + ar * lda, seed, sparseA ? zeros : 0), B = randomArray(off + br * ldb, seed + 1, sparseB ? zeros : 0);
  if (c.bad !== 'none') (sparseA ? B : A)[off + (seed % 7)] = c.bad === 'nan' ? NaN : Infinity;
  const C = randomArray(off + M * ldc, seed + 2);
  if (c.kind === 'NT') gemmNT(M, N, K, A, off, lda, B, off, ldb, C, off, ldc, acc);
  else if (c.kind === 'NN') gemmNN(M, N, K, A, off, lda, B, off, ldb, C, off, ldc, acc);
  else if (c.kind === 'TN') gemmTN(M, N, K, A, off, lda, B, off, ldb, C, off, ldc, acc);
  else if (c.kind === 'fwd') assert.ok(wasmLinearForward(M, N, K, A, off, lda, B, off, ldb, C, off, ldc, acc));
  else assert.ok(wasmWeightGrad(M, N, K, A, off, lda, B, off, ldb, C, off, ldc, acc));
  return C;
}

/**
 * Plain SGD steps on pinned arrays (as a Linear's weight and gradient are), in rows of `cols`, each after a product
 * large enough to be shared (as in a training step: the helper takes SGD work only while awake from one).
 */
function sgdRun(n: number, cols = n): Float32Array {
  const p = allocPinned(n)!, g = allocPinned(n)!;
  const A = randomArray(64 * 256, 1), B = randomArray(256 * 256, 2), C = new Float32Array(64 * 256);
  p.set(randomArray(n, n));
  for (let s = 0; s < 3; s++) {
    g.set(randomArray(n, n + s + 1));
    gemmNT(64, 256, 256, A, 0, 256, B, 0, 256, C, 0, 256, false);
    const before = helperChunks();
    assert.ok(wasmSgd(p, 0, g, n, Math.fround(-0.37), cols));
    sgdHelped += helperChunks() - before;
  }
  return p.slice();
}
/** Chunks of SGD steps the helper computed. */
let sgdHelped = 0;

/** The notebook MLP, 15 SGD steps on fixed batches: every weight after them. */
function train(): number[][] {
  torch.manualSeed(7);
  const model = new nn.Sequential([['W1', new nn.Linear(784, 256)], ['1', new nn.ReLU()], ['W2', new nn.Linear(256, 10)]]);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  for (let s = 0; s < 15; s++) {
    const x = torch.rand([64, 784]).mul(torch.rand([64, 784]).gt(0.6)); // about 60% zeros, as images
    const y = torch.randint(0, 10, [64]);
    opt.zeroGrad();
    F.crossEntropy(model.forward(x), y).backward();
    opt.step();
  }
  return model.parameters().map((p) => Array.from(p.toArray() as Float32Array));
}

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    // NaN payloads may differ; -0 and +0 may where a zero product is skipped (as on one thread).
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    if (a[i] === 0 && b[i] === 0) continue;
    if (ua[i] !== ub[i]) assert.fail(`${what}: element ${i} is ${b[i]} with the helper, ${a[i]} on one thread`);
  }
}

describe('the kernel helper thread', function () {
  this.timeout(60_000);
  const oneThread = { cases: [] as Float32Array[], sgd: null as Float32Array | null, sgdRows: null as Float32Array | null, train: [] as number[][] };

  before(async () => {
    assert.equal(await useKernelThreads(1), 1);
    oneThread.cases = cases.map(run);
    oneThread.sgd = sgdRun(16 * SPLIT_MIN_SGD + 13);
    oneThread.sgdRows = sgdRun(400 * 785, 785);
    oneThread.train = train();
    assert.equal(await useKernelThreads(2), 2, 'a helper starts on Node 20 with WebAssembly');
    assert.equal(torch.kernelThreads(), 2);
  });

  after(async () => {
    assert.equal(await useKernelThreads(1), 1);
    assert.equal(torch.kernelThreads(), 1);
  });

  it(`shares products of ${SPLIT_MIN_MACS} multiply-adds and more and gives the same bits as one thread (${cases.length} shapes, NaN and inf included)`, () => {
    assert.ok(cases.length >= 40);
    const before = helperChunks();
    cases.forEach((c, i) => sameBits(oneThread.cases[i], run(c), `${c.kind} ${c.M}×${c.N}×${c.K} acc=${c.acc} zeros=${c.zeros} ${c.bad}`));
    assert.ok(helperChunks() > before, 'the helper computed some of the chunks (else this compares one thread with itself)');
  });

  it('gives the same bits for SGD steps over a large vector and a weight shared by rows', () => {
    const before = sgdHelped;
    sameBits(oneThread.sgd!, sgdRun(16 * SPLIT_MIN_SGD + 13), 'sgd');
    sameBits(oneThread.sgdRows!, sgdRun(400 * 785, 785), 'sgd by rows');
    assert.ok(sgdHelped > before, 'the helper computed some of the SGD chunks');
  });

  it('trains a 784-256-10 ReLU network to exactly the same weights', () => {
    const before = helperChunks();
    const got = train();
    assert.ok(helperChunks() > before, 'the helper took part in the training');
    assert.equal(got.length, oneThread.train.length);
    got.forEach((p, i) => assert.deepEqual(p, oneThread.train[i], `parameter ${i}`));
  });

  it('zero_grad on a pinned gradient writes +0 everywhere, and fill_(-0) keeps its sign', () => {
    const lin = new nn.Linear(784, 256);
    lin.forward(torch.rand([4, 784])).sum().backward();
    const g = lin.weight.grad!;
    assert.ok(g.abs().sum().item() > 0);
    g.zero_();
    const a = Array.from(g.toArray() as Float32Array);
    assert.ok(a.every((v) => Object.is(v, 0)), 'every element +0');
    g.fill_(-0);
    assert.ok(Array.from(g.toArray() as Float32Array).every((v) => Object.is(v, -0)), 'every element -0');
  });

  it('a helper killed from outside leaves the products complete and right', async () => {
    let w: Worker | null = null;
    const attached = torch.attachKernelHelper((source, workerData) => {
      w = new Worker(source, { eval: true, workerData });
      w.unref();
      return w;
    });
    assert.ok(attached);
    for (let i = 0; i < 200 && torch.kernelThreads() < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(torch.kernelThreads(), 2);
    await w!.terminate();
    cases.slice(0, 10).forEach((c, i) => sameBits(oneThread.cases[i], run(c), `${c.kind} after the helper was killed`));
    torch.detachKernelHelper();
  });
});
