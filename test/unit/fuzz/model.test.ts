/**
 * Model files, fuzzed (beside test/unit/model/fuzz.test.ts, which fuzzes the text): random valid models of every
 * layer kind with inputs of rank 1 to 3 — Linear on the last dimension of a 3-D batch, Flatten over random
 * ranges written with negative or positive dims — give the shapes the engine gives on a real batch of 1 to 3;
 * random models with huge
 * sizes under random limits are refused before anything is allocated, and what is accepted is within the
 * limits; and corrupt bytes (bit flips in the UTF-8 text) give diagnostics, never an exception.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import * as torch from '../../../src/engine';
import { analyzeModel, type ModelAnalysis } from '../../../src/model/analyze';
import { buildModel } from '../../../src/model/build';
import { loadModelSpec } from '../../../src/model/load';
import { trackAllocations } from './alloc-spy';
import { byteMutation, mutateBytes } from './mutate';

/** Cases per property (the README's Reliability section quotes these). */
export const MODEL_FUZZ = { shapes: { numRuns: 600, seed: 741 }, limits: { numRuns: 600, seed: 742 }, bytes: { numRuns: 800, seed: 743 } };

const EXAMPLES = fs.readdirSync(path.join(__dirname, '../../../examples')).filter((f) => f.endsWith('.nn.json')).map((f) => fs.readFileSync(path.join(__dirname, '../../../examples', f), 'utf8'));

type Layer = Record<string, unknown>;

/** A body layer for a batch of rank `rank` (batch dimension included); returns the layer and the new rank. */
function bodyLayer(rank: number): fc.Arbitrary<[Layer, number]> {
  return fc.oneof(
    fc.integer({ min: 1, max: 24 }).map((out): [Layer, number] => [{ type: 'Linear', out }, rank]),
    fc.constantFrom('Sigmoid', 'ReLU', 'Tanh').map((type): [Layer, number] => [{ type }, rank]),
    fc.double({ min: 0, max: 0.9, noNaN: true }).map((p): [Layer, number] => [{ type: 'Dropout', p }, rank]),
    // Flatten(start, end) over dims 1..rank-1, written with positive or negative indices.
    fc.tuple(fc.integer({ min: 1, max: Math.max(1, rank - 1) }), fc.nat(), fc.boolean(), fc.boolean()).map(([s, span, negS, negE]): [Layer, number] => {
      const e = Math.min(rank - 1, s + (span % rank));
      const start = negS ? s - rank : s;
      const end = negE ? e - rank : e;
      return [{ type: 'Flatten', startDim: start, endDim: end }, rank - (e - s)];
    }),
  );
}

const validModel: fc.Arbitrary<{ text: string; batch: number }> = fc
  .record({
    // The shapes of 784 values a model may take (MNIST), of rank 1 to 3.
    shape: fc.constantFrom([784], [28, 28], [1, 28, 28], [4, 196], [2, 14, 28], [7, 4, 28], [49, 16], [16, 49]),
    n: fc.integer({ min: 0, max: 6 }),
    seeds: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
    head: fc.constantFrom('none', 'softmax', 'logsoftmax'),
    batch: fc.integer({ min: 1, max: 3 }),
    named: fc.boolean(),
  })
  .chain((r) => {
    // Build the body one layer at a time, each drawn for the rank so far.
    let arb: fc.Arbitrary<{ layers: Layer[]; rank: number }> = fc.constant({ layers: [], rank: r.shape.length + 1 });
    for (let i = 0; i < r.n; i++) arb = arb.chain((acc) => bodyLayer(acc.rank).map(([l, rank]) => ({ layers: [...acc.layers, l], rank })));
    return arb.map(({ layers, rank }) => {
      const all: Layer[] = [...layers];
      if (rank > 2) all.push({ type: 'Flatten' });
      all.push({ type: 'Linear', out: 10 });
      if (r.head === 'softmax') all.push({ type: 'Softmax', dim: 1 });
      if (r.head === 'logsoftmax') all.push({ type: 'LogSoftmax', dim: -1 });
      if (r.named) all.forEach((l, i) => l.type === 'Linear' && (l.name = `fc${i}`));
      const loss = r.head === 'logsoftmax' ? 'nll_loss' : 'cross_entropy';
      const text = JSON.stringify({ name: 'fuzz', input: { shape: r.shape, dataset: 'mnist' }, layers: all, init: { seed: r.seeds[0] }, train: { batchSize: 8, loss, optimizer: { type: 'sgd', lr: 0.1 } } }, null, 1);
      return { text, batch: r.batch };
    });
  });

/** The engine's shape after each layer on a real batch. */
function engineShapes(a: ModelAnalysis, batch: number): number[][] {
  assert.ok(a.spec);
  const model = buildModel(a.spec);
  model.eval();
  let x = torch.rand([batch, ...a.spec.input.shape]);
  return torch.noGrad(() =>
    model.children().map((m) => {
      x = m.forward(x);
      return [...x.shape];
    }),
  );
}

const SIZES = [1, 7, 64, 1000, 50_000, 100_000, 1 << 20, 2 ** 31 - 1, 2 ** 31, 1e15];
const hugeModel = fc.record({
  sizes: fc.array(fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constantFrom(...SIZES)), { minLength: 1, maxLength: 5 }),
  extraLayers: fc.constantFrom(0, 0, 0, 300),
  batchSize: fc.oneof(fc.integer({ min: 1, max: 128 }), fc.constantFrom(100_000, 2 ** 31 - 1)),
  optimizer: fc.constantFrom('sgd', 'adam'),
  limits: fc.record({ maxParams: fc.constantFrom(1000, 100_000, 10_000_000), maxBytes: fc.constantFrom(1e6, 1e9), maxLayers: fc.constantFrom(4, 256) }),
});

describe('model fuzzing: shapes, limits and bytes (fast-check, fixed seeds)', function () {
  this.timeout(120_000);

  it(`random valid models of every layer kind: inferred shapes are the engine's (${MODEL_FUZZ.shapes.numRuns} cases)`, () => {
    let valid = 0;
    fc.assert(
      fc.property(validModel, ({ text, batch }) => {
        const a = analyzeModel(text);
        assert.ok(!a.diagnostics.some((d) => d.code === 'internal'), a.diagnostics.map((d) => d.message).join('\n'));
        if (!a.spec) return;
        valid++;
        const want = a.layers.map((l) => (l.outShape ?? []).map((d) => (d === 'B' ? batch : d)));
        assert.deepEqual(engineShapes(a, batch), want);
        assert.equal(buildModel(a.spec).parameters().reduce((n, p) => n + p.numel(), 0), a.totalParams);
      }),
      MODEL_FUZZ.shapes,
    );
    assert.ok(valid >= MODEL_FUZZ.shapes.numRuns * 0.8, `most generated models are valid: ${valid}`);
  });

  it(`huge models under random limits: refused before any allocation, or built within the limits (${MODEL_FUZZ.limits.numRuns} cases)`, () => {
    let refused = 0;
    fc.assert(
      fc.property(hugeModel, (m) => {
        const layers: Layer[] = [{ type: 'Flatten' }];
        m.sizes.forEach((out) => layers.push({ type: 'Linear', out }, { type: 'ReLU' }));
        for (let i = 0; i < m.extraLayers; i++) layers.push({ type: 'ReLU' });
        layers.push({ type: 'Linear', out: 10 });
        const text = JSON.stringify({ name: 'huge', input: { shape: [28, 28], dataset: 'mnist' }, layers, train: { batchSize: m.batchSize, optimizer: { type: m.optimizer } } });
        const r = trackAllocations(() => analyzeModel(text, { limits: m.limits }));
        assert.ok(r.error === undefined, String(r.error));
        // The analysis allocates in proportion to the text, never to the sizes the text claims.
        assert.ok(r.largest <= 64 * text.length + (1 << 20), `the analysis asked for ${r.largest} bytes`);
        const a = r.result as ModelAnalysis;
        if (!a.spec) {
          refused++;
          assert.ok(a.diagnostics.some((d) => d.severity === 'error'));
          return;
        }
        assert.ok(a.totalParams <= m.limits.maxParams && a.estimatedBytes <= m.limits.maxBytes && a.spec.layers.length <= m.limits.maxLayers);
        const built = trackAllocations(() => buildModel(a.spec as NonNullable<ModelAnalysis['spec']>));
        assert.ok(built.largest <= 4 * m.limits.maxParams, `building allocated ${built.largest} bytes`);
      }),
      MODEL_FUZZ.limits,
    );
    assert.ok(refused > MODEL_FUZZ.limits.numRuns / 4 && refused < MODEL_FUZZ.limits.numRuns, `${refused} refused`);
  });

  it(`bit flips in the UTF-8 bytes of the examples: diagnostics, never an exception (${MODEL_FUZZ.bytes.numRuns} cases)`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...EXAMPLES), fc.array(byteMutation, { minLength: 1, maxLength: 5 }), (base, ms) => {
        const bytes = ms.reduce<Uint8Array>((b, m) => mutateBytes(b, m), new TextEncoder().encode(base));
        const text = new TextDecoder('utf-8').decode(bytes);
        const a = analyzeModel(text);
        assert.ok(!a.diagnostics.some((d) => d.code === 'internal'), a.diagnostics.map((d) => d.message).join('\n'));
        for (const d of a.diagnostics) assert.ok(d.offset >= 0 && d.offset + d.length <= text.length && d.message.length > 0);
        try {
          loadModelSpec(text, 'corrupt.nn.json');
        } catch (e) {
          assert.ok(e instanceof Error && /^corrupt\.nn\.json(:\d+:\d+)?: /.test(e.message), String(e));
        }
      }),
      MODEL_FUZZ.bytes,
    );
  });
});
