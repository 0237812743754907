/**
 * The weight-file editor's host logic on real files: header-first opening, views of whole tensors and of strided
 * slices over several read chunks (compared with the engine's indexing), max-abs pictures and tiles of large
 * tensors, the background statistics pass giving way to a view, cancellation, `.npy` files and pickled dicts, a
 * file cut short after opening, and mutated files (a plain Error naming the problem, never a crash or a hang).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import * as torch from '../../../src/engine';
import { encodeSafetensors, writeSafetensorsFile } from '../../../src/data/safetensors';
import { writeNpyFile } from '../../../src/data/npy';
import { Cancelled, CHUNK_ELEMENTS, gather, Job } from '../../../src/extension/weights/gather';
import { ExactSink } from '../../../src/extension/weights/print';
import { Scratch, type TensorSource } from '../../../src/extension/weights/source';
import { WeightSession } from '../../../src/extension/weights/session';
import { MAX_SIDE, MAX_TILES, viewOf } from '../../../src/extension/weights/view';
import { byteMutation, mutateBytes } from '../fuzz/mutate';

const BRIDGE = path.resolve(__dirname, '../../fixtures/bridge/import');

describe('weights editor: sessions on real files', function () {
  this.timeout(60_000);
  let dir: string;
  let big: torch.Tensor;
  let bigFile: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);

  before(() => {
    process.on('unhandledRejection', onUnhandled);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-weights-session-'));
    torch.manualSeed(3);
    big = torch.randn([1500, 1000]);
    bigFile = path.join(dir, 'big.safetensors');
    writeSafetensorsFile(bigFile, [['small', torch.arange(12).float().view([3, 4])], ['big', big], ['rows784', torch.randn([1500, 784])], ['tail', torch.randn([5])]]);
  });
  after(() => {
    process.off('unhandledRejection', onUnhandled);
    fs.rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
  });

  it('opens from the header alone and lists tensors in file order, without statistics yet', async () => {
    const s = WeightSession.open(bigFile);
    try {
      const info = s.info(false);
      assert.equal(info.format, 'safetensors');
      assert.equal(info.trusted, false);
      assert.deepEqual(info.tensors.map((t) => [t.name, t.dtype, t.fileDType, t.shape, t.numel, t.bytes, t.stats]), [
        ['small', 'float32', 'F32', [3, 4], 12, 48, null],
        ['big', 'float32', 'F32', [1500, 1000], 1_500_000, 6_000_000, null],
        ['rows784', 'float32', 'F32', [1500, 784], 1_176_000, 4_704_000, null],
        ['tail', 'float32', 'F32', [5], 5, 20, null],
      ]);
      assert.deepEqual(info.metadata, { format: 'pt' });
    } finally {
      await s.close();
    }
  });

  it('strided slices over several read chunks give the engine\'s values, statistics and print', async () => {
    assert.ok(big.numel() > CHUNK_ELEMENTS, 'the tensor spans more than one read');
    const s = WeightSession.open(bigFile);
    try {
      for (const index of ['[::3, 7]', '[100:1400:7, ::2]', '[-1]', '[1499, 999]', '[None, 5, :]', '[..., 0]', '[700:1300, 10:20]']) {
        const want = big.index(index.slice(1, -1));
        const r = await s.view('big', index, new Job());
        assert.deepEqual(r.view.shape, [...want.shape], index);
        assert.equal(r.view.print, want.toString(), `print of big${index}`);
        const d = want.double();
        if (want.numel() > 1) {
          assert.ok(Math.abs((r.stats.std as number) - d.std().item()) < 1e-9, `std of big${index}`);
          assert.equal(r.stats.min, d.min().item());
        }
        const p = r.view.picture;
        if (p && !p.downsample) assert.deepEqual(Array.from(new Float32Array(p.data)), Array.from(want.contiguous().toArray() as Float32Array), `picture of big${index}`);
      }
    } finally {
      await s.close();
    }
  });

  it('reads a column of a matrix in a few large reads, and a sparse slice element by element', async () => {
    const s = WeightSession.open(bigFile);
    const reads: number[] = [];
    const source = s.source;
    const counting: TensorSource = {
      file: source.file, format: source.format, size: source.size, metadata: source.metadata, entries: source.entries,
      entry: (n) => source.entry(n),
      read: (e, start, count, scratch) => {
        reads.push(count);
        return source.read(e, start, count, scratch);
      },
      close: () => source.close(),
    };
    try {
      const e = source.entry('big');
      assert.ok(e);
      const col = viewOf(e, '[:, 3]');
      const sink = new ExactSink(1500);
      await gather(counting, e, col, [sink], new Job(), new Scratch());
      assert.deepEqual(Array.from(sink.data), Array.from(big.index(':, 3').contiguous().toArray() as Float32Array));
      assert.equal(reads.length, Math.ceil((1499 * 1000 + 1) / CHUNK_ELEMENTS), `${reads.length} reads for 1,500 elements 1,000 apart`);
      reads.length = 0;
      const sparse = viewOf(e, '[::500, ::999]');
      const few = new ExactSink(3 * 2);
      await gather(counting, e, sparse, [few], new Job(), new Scratch());
      assert.deepEqual(Array.from(few.data), Array.from(big.index('::500, ::999').contiguous().toArray() as Float32Array));
      assert.equal(reads.length, 3, 'one read per row: 500,000 elements apart is too sparse to read between');
    } finally {
      await s.close();
    }
  });

  it('a tensor larger than the screen: max-abs blocks, the first rows of [R, 784] as exact tiles, whole statistics cached', async () => {
    const s = WeightSession.open(bigFile);
    const seen: string[] = [];
    try {
      const r = await s.view('rows784', '', new Job(), (name) => seen.push(name));
      const p = r.view.picture;
      assert.ok(p?.downsample);
      assert.deepEqual(p.downsample.block, [Math.ceil(1500 / MAX_SIDE), 1]);
      assert.deepEqual([p.rows, p.cols], [750, 784]);
      assert.equal(r.view.tiles?.count, MAX_TILES);
      assert.deepEqual(seen, ['rows784'], 'the whole tensor\'s statistics were computed on the way');
      assert.deepEqual(s.statsOf('rows784'), r.stats);
      const again = await s.view('rows784', '', new Job(), (name) => seen.push(name));
      assert.deepEqual(seen, ['rows784'], 'and not twice');
      assert.deepEqual(again.stats, r.stats);
    } finally {
      await s.close();
    }
  });

  it('the tiles of a downsampled [R, 784] view are its first rows, exactly', async () => {
    const file = path.join(dir, 'rows.safetensors');
    torch.manualSeed(9);
    const t = torch.randn([1100, 784]);
    writeSafetensorsFile(file, [['w', t]]);
    const s = WeightSession.open(file);
    try {
      const r = await s.view('w', '', new Job());
      assert.ok(r.view.picture?.downsample, 'downsampled rows');
      assert.ok(r.view.tiles);
      assert.deepEqual(Array.from(new Float32Array(r.view.tiles.data)), Array.from((t.index(`:${MAX_TILES}`).contiguous().toArray() as Float32Array)));
    } finally {
      await s.close();
    }
  });

  it('the background statistics pass gives way to a view asked for meanwhile, and fills in every tensor', async () => {
    const s = WeightSession.open(bigFile);
    const order: string[] = [];
    try {
      const pass = s.computeAllStats((batch) => order.push(...batch.map((b) => `stats ${b.name}`)), 0);
      const view = s.view('tail', '', new Job()).then(() => order.push('view tail'));
      await Promise.all([pass, view]);
      assert.ok(order.indexOf('view tail') < order.indexOf('stats rows784'), order.join(', '));
      assert.deepEqual(s.info(true).tensors.map((t) => t.stats !== null), [true, true, true, true]);
      const st = s.statsOf('big');
      assert.ok(st);
      assert.equal(st.min, big.double().min().item());
    } finally {
      await s.close();
    }
  });

  it('a cancelled view stops between reads with Cancelled; closing stops the statistics pass', async () => {
    const s = WeightSession.open(bigFile);
    const job = new Job();
    const v = s.view('big', '', job);
    job.cancel();
    await assert.rejects(v, Cancelled);
    const pass = s.computeAllStats(() => undefined);
    await s.close();
    await pass;
    assert.equal(s.statsOf('rows784'), undefined, 'the pass stopped before the end');
  });

  it('a file cut short after it was opened: the view fails with a message naming the file', async () => {
    const file = path.join(dir, 'cut.safetensors');
    fs.copyFileSync(bigFile, file);
    const s = WeightSession.open(file);
    try {
      fs.truncateSync(file, 1000);
      await assert.rejects(s.view('big', '', new Job()), (e: Error) => e.message.startsWith(`${file}: the file ended at byte`) && /changed on disk/.test(e.message));
    } finally {
      await s.close();
    }
  });

  it('.npy: one array named after the file; a pickled dict of arrays lists its arrays; torch pickles are refused', async () => {
    const file = path.join(dir, 'W2 weight.npy');
    const w = torch.randn([10, 64]);
    writeNpyFile(file, w);
    const s = WeightSession.open(file);
    try {
      const info = s.info(true);
      assert.equal(info.format, 'npy');
      assert.deepEqual(info.tensors.map((t) => [t.name, t.fileDType, t.shape]), [['W2_weight', '<f4', [10, 64]]]);
      assert.equal((await s.view('W2_weight', '[2]', new Job())).view.print, w.index('2').toString());
    } finally {
      await s.close();
    }
    const d = WeightSession.open(path.join(BRIDGE, 'net-dict.npy'));
    try {
      const info = d.info(true);
      assert.equal(info.format, 'npy-dict');
      assert.ok(info.tensors.length >= 2);
      const first = info.tensors[0];
      const r = await d.view(first.name, '', new Job());
      assert.match(r.view.print, /^tensor\(/);
    } finally {
      await d.close();
    }
    assert.throws(() => WeightSession.open(path.join(BRIDGE, 'torch-dict.npy')), (e: Error) => e.message.startsWith(path.join(BRIDGE, 'torch-dict.npy')));
  });

  it('a bad slice is an IndexError with PyTorch\'s message; a slice text too long is refused', async () => {
    const s = WeightSession.open(bigFile);
    try {
      await assert.rejects(s.view('small', '[3]', new Job()), { message: 'small[3]: index 3 is out of bounds for dimension 0 with size 3' });
      await assert.rejects(s.view('small', '[0, 0, 0]', new Job()), { message: 'small[0, 0, 0]: too many indices for tensor of dimension 2' });
      await assert.rejects(s.view('small', '[::-1]', new Job()), { message: 'small[::-1]: step must be greater than zero' });
      await assert.rejects(s.view('small', '[x]', new Job()), /small\[x\]: index '\[x\]': 'x' is not an integer/);
      await assert.rejects(s.view('small', `[${'0,'.repeat(150)}]`, new Job()), /characters long \(at most 200\)/);
      await assert.rejects(s.view('nope', '', new Job()), /has no tensor named "nope"/);
    } finally {
      await s.close();
    }
  });

  it('mutated files: open and every view give the tensors or a plain Error, never a crash or a hang', async () => {
    torch.manualSeed(5);
    const good = new Uint8Array(Buffer.concat(encodeSafetensors([['W1.weight', torch.randn([4, 6])], ['W1.bias', torch.randn([4])], ['n', torch.tensor([1, 2], { dtype: 'int64' })]])));
    const headerEnd = 8 + Number(Buffer.from(good.subarray(0, 8)).readBigUInt64LE());
    let k = 0;
    let opened = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(byteMutation, { minLength: 1, maxLength: 3 }), async (ms) => {
        const bytes = ms.reduce<Uint8Array>((b, m) => mutateBytes(b, m, headerEnd), good);
        const file = path.join(dir, `m${k++}.safetensors`);
        fs.writeFileSync(file, bytes);
        let s: WeightSession;
        try {
          s = WeightSession.open(file);
        } catch (e) {
          assert.ok(e instanceof Error && e.message.length > 0, String(e));
          return;
        }
        opened++;
        try {
          for (const t of s.info(true).tensors) {
            for (const index of ['', '[0]']) {
              try {
                await s.view(t.name, index, new Job());
              } catch (e) {
                assert.ok(e instanceof Error && e.message.length > 0, String(e));
              }
            }
          }
          await s.computeAllStats(() => undefined);
        } finally {
          await s.close();
          fs.rmSync(file);
        }
      }),
      { numRuns: 300, seed: 781 },
    );
    assert.ok(opened > 0, 'some mutated files still open (data bytes changed only)');
  });
});
