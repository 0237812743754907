/**
 * The weight-file editor prints a tensor (or a slice) read from a file as PyTorch prints it: checked against
 * PyTorch 1.13 itself (fixtures/dtypes.json, made by fixtures/make_fixtures.py: F16, BF16, F64, int, bool, empty,
 * 0-d, summarized prints and slices), and against the engine's own print for random tensors and slices.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import * as torch from '../../../src/engine';
import { writeSafetensorsFile } from '../../../src/data/safetensors';
import { Job } from '../../../src/extension/weights/gather';
import { WeightSession } from '../../../src/extension/weights/session';
import type { WireNumber } from '../../../src/protocol';

const FIXTURE = path.join(__dirname, 'fixtures');

interface Expected {
  dtype: string;
  shape: number[];
  print: Record<string, string>;
  stats: { min: number; max: number; mean: number; std: number | null } | null;
}

const num = (v: WireNumber): number => (typeof v === 'number' ? v : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : NaN);

describe('weights editor: PyTorch print and statistics of file tensors', () => {
  const expected = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'dtypes.json'), 'utf8')) as { tensors: Record<string, Expected> };
  let session: WeightSession;
  before(() => {
    session = WeightSession.open(path.join(FIXTURE, 'dtypes.safetensors'));
  });
  after(() => session.close());

  it('lists each tensor with PyTorch\'s dtype name and shape', () => {
    const info = session.info(true);
    assert.deepEqual(info.tensors.map((t) => [t.name, t.dtype, t.shape]), Object.entries(expected.tensors).map(([n, e]) => [n, e.dtype, e.shape]));
    assert.deepEqual(info.tensors.find((t) => t.name === 'half')?.fileDType, 'F16');
  });

  for (const [name, e] of Object.entries(JSON.parse(fs.readFileSync(path.join(FIXTURE, 'dtypes.json'), 'utf8')).tensors as Record<string, Expected>)) {
    it(`${name} (${e.dtype} [${e.shape.join(', ')}]): prints as PyTorch, whole and sliced`, async () => {
      for (const [index, text] of Object.entries(e.print)) {
        const r = await session.view(name, index, new Job());
        assert.equal(r.view.print, text, `print(${name}${index})`);
      }
      const r = await session.view(name, '', new Job());
      const s = r.stats;
      if (!e.stats) {
        assert.deepEqual(s, { min: 'nan', max: 'nan', mean: 'nan', std: 'nan', nan: 0 }, 'an empty tensor has no statistics');
        return;
      }
      for (const k of ['min', 'max', 'mean'] as const) assert.ok(Math.abs(num(s[k]) - e.stats[k]) <= 1e-9 * Math.max(1, Math.abs(e.stats[k])), `${k}: ${s[k]} vs ${e.stats[k]}`);
      if (e.stats.std === null) assert.equal(s.std, 'nan', 'std of one value is nan, as torch.std');
      else assert.ok(Math.abs(num(s.std) - e.stats.std) <= 1e-9 * Math.max(1, e.stats.std), `std: ${s.std} vs ${e.stats.std}`);
    });
  }

  it('random float32 tensors and slices print as the engine prints them (which prints as PyTorch)', async function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-print-'));
    try {
      const shapeArb = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 });
      const sliceItem = fc.oneof(
        fc.integer({ min: -3, max: 3 }).map(String),
        fc.tuple(fc.option(fc.integer({ min: -4, max: 6 }), { nil: null }), fc.option(fc.integer({ min: -4, max: 9 }), { nil: null }), fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }))
          .map(([a, b, s]) => `${a ?? ''}:${b ?? ''}${s === null ? '' : `:${s}`}`),
        fc.constantFrom('None', '...', ':'),
      );
      let k = 0;
      await fc.assert(
        fc.asyncProperty(shapeArb, fc.array(sliceItem, { maxLength: 4 }), fc.integer({ min: 0, max: 3 }), async (shape, items, scale) => {
          torch.manualSeed(k);
          const t = torch.randn(shape).mul(10 ** (scale * 2 - 3));
          const file = path.join(dir, `t${k++}.safetensors`);
          writeSafetensorsFile(file, [['t', t]]);
          const s = WeightSession.open(file);
          try {
            const index = items.length ? `[${items.join(', ')}]` : '';
            let want: string;
            try {
              want = (index ? t.index(items.join(', ')) : t).toString();
            } catch (e) {
              await assert.rejects(s.view('t', index, new Job()), (err: Error) => err.message === `t${index}: ${(e as Error).message}`);
              return;
            }
            const r = await s.view('t', index, new Job());
            assert.equal(r.view.print, want);
          } finally {
            await s.close();
          }
        }),
        { numRuns: 150, seed: 761 },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
