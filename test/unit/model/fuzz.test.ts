/**
 * Property-based tests of the model-file language (fast-check, fixed seeds: a failure prints the seed and path
 * that replay it). Whatever the text, analyzeModel returns diagnostics and never throws; every valid random
 * model builds, and the engine's shapes on a real batch are the inferred ones.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'jsonc-parser';
import * as torch from '../../../src/engine';
import { analyzeModel, type ModelAnalysis } from '../../../src/model/analyze';
import { buildModel } from '../../../src/model/build';
import { applyTextEdits } from '../../../src/model/edits';
import { codeLensText, hoverMarkdown } from '../../../src/model/hover';
import { loadModelSpec } from '../../../src/model/load';
import { NEW_MODEL_TEMPLATE } from '../../../src/model/templates';
import { Validator } from './schema-validator';

const ROOT = join(__dirname, '../../..');
const EXAMPLES = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.nn.json'))
  .map((f) => readFileSync(join(ROOT, 'examples', f), 'utf8'));
const validator = new Validator(JSON.parse(readFileSync(join(ROOT, 'schemas/nn.schema.json'), 'utf8')) as Record<string, unknown>);

/** How many cases each property runs (the README's reliability section quotes these). */
export const FUZZ_RUNS = { randomText: 400, mutatedText: 600, randomModels: 500, schemaAgreement: 500 };

/** Everything a caller may rely on, whatever the text. */
function checkInvariants(text: string, a: ModelAnalysis): void {
  assert.ok(!a.diagnostics.some((d) => d.code === 'internal'), a.diagnostics.map((d) => d.message).join('\n'));
  assert.equal(a.spec === null, a.diagnostics.some((d) => d.severity === 'error') || a.spec === null);
  if (a.spec) assert.ok(!a.diagnostics.some((d) => d.severity === 'error'));
  for (const d of a.diagnostics) {
    assert.ok(d.offset >= 0 && d.offset + d.length <= text.length, `span inside the text: ${d.code}`);
    assert.ok(d.message.length > 0 && d.message.length < 2000, 'a readable message');
    for (const f of d.fixes) applyTextEdits(text, f.edits); // non-overlapping, inside the text
  }
  assert.equal(a.summary.diagnostics.length, a.diagnostics.length);
  a.layers.forEach((_, i) => {
    codeLensText(a, i);
    hoverMarkdown(a, i);
  });
}

function analyseAndCheck(text: string): ModelAnalysis {
  const a = analyzeModel(text);
  checkInvariants(text, a);
  return a;
}

const TOKENS = ['{', '}', '[', ']', ',', ':', '"', '//', '/*', '*/', '\n', '1e999', '-1e999', '1e-400', '-0', '0x10', 'NaN', 'null', 'true', '"Linear"', '"Softmax"', '"type"', '"layers"', '"in"', '"out"', '9'.repeat(400), '\u0000', '\uD800', '😀', '\u202E', '"\\u0000"', '"\\uD800"'];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 12 })) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('number' as const), at: fc.nat(), value: fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, 1e308)) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, m: Mutation): string {
  const at = text.length ? m.at % (text.length + 1) : 0;
  switch (m.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.len);
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at);
    case 'truncate':
      return text.slice(0, at);
    case 'duplicate':
      return text.slice(0, at + m.len) + text.slice(at, at + m.len) + text.slice(at + m.len);
    case 'number': {
      // Replace the first number at or after `at` with another value (written as JSON would, or raw).
      const re = /-?\d+(\.\d+)?([eE][-+]?\d+)?/g;
      re.lastIndex = at;
      const hit = re.exec(text);
      return hit ? text.slice(0, hit.index) + String(m.value) + text.slice(hit.index + hit[0].length) : text;
    }
  }
}

// ---- random models, as objects serialised with random formatting: "wild" ones with every kind of mistake,
// "tame" ones that are mostly valid (so the engine comparison has many models to run) ----
const size = (tame: boolean): fc.Arbitrary<unknown> =>
  tame ? fc.integer({ min: 1, max: 40 }) : fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 40 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -2, 1.5, '8', 1e300) });
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });

const layerArb = (tame: boolean): fc.Arbitrary<Record<string, unknown>> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ type: fc.constant('Linear'), out: size(tame), bias: opt(fc.boolean()) }, { requiredKeys: ['type', 'out'] }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constantFrom('Sigmoid', 'ReLU', 'Tanh') }) },
    { weight: tame ? 0 : 1, arbitrary: fc.record({ type: fc.constantFrom('Softmax', 'LogSoftmax'), dim: opt(fc.integer({ min: -3, max: 3 })) }, { requiredKeys: ['type'] }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('Flatten'), startDim: opt(fc.integer({ min: tame ? 1 : -4, max: 3 })), endDim: opt(fc.integer({ min: -4, max: 3 })) }, { requiredKeys: ['type'] }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('Dropout'), p: opt(tame ? fc.double({ min: 0, max: 1, noNaN: true }) : fc.constantFrom(0.5, -0.5, 2)) }, { requiredKeys: ['type'] }) },
    { weight: tame ? 0 : 1, arbitrary: fc.record({ type: fc.constantFrom<unknown>('Conv2d', 'linear', 3, null) }) },
  );

const modelArb = (tame: boolean): fc.Arbitrary<string> =>
  fc
    .record({
      shape: (tame ? fc.constantFrom<number[]>([784], [28, 28], [1, 28, 28], [4, 196], [2, 14, 28]) : fc.oneof({ weight: 6, arbitrary: fc.constantFrom<number[]>([784], [28, 28], [1, 28, 28]) }, { weight: 1, arbitrary: fc.array(fc.integer({ min: -1, max: 30 }), { maxLength: 4 }) })) as fc.Arbitrary<number[]>,
      flatten: tame ? fc.constantFrom(true, true, true, false) : fc.boolean(),
      body: fc.array(layerArb(tame), { maxLength: 6 }),
      head: tame ? fc.constantFrom('linear10', 'linear10+softmax', 'linear10+logsoftmax') : fc.constantFrom('linear10', 'linear10+softmax', 'none'),
      names: tame ? fc.constantFrom('none', 'unique') : fc.constantFrom('none', 'unique', 'random'),
      randomNames: fc.array(fc.oneof(fc.constantFrom('W1', 'W2', 'fc', 'a.b', '', 'forward', '0', '1'), fc.string({ maxLength: 6 })), { maxLength: 8 }),
      inMode: tame ? fc.constantFrom('omit', 'correct') : fc.constantFrom('omit', 'correct', 'random'),
      loss: fc.constantFrom('cross_entropy', 'nll_loss', 'mse_loss'),
      optimizer: fc.oneof(fc.record({ type: fc.constant('sgd'), lr: fc.double({ min: 0, max: 1, noNaN: true }), momentum: fc.constantFrom(0, 0.9) }), fc.record({ type: fc.constant('adam') })),
      batchSize: fc.integer({ min: 1, max: 64 }),
      indent: fc.constantFrom(0, 2, '\t'),
    })
    .map((r) => {
      const layers: Record<string, unknown>[] = [];
      if (r.flatten) layers.push({ type: 'Flatten' });
      layers.push(...r.body.map((l) => ({ ...l })));
      if (r.head !== 'none') layers.push({ type: 'Linear', out: 10 });
      if (r.head === 'linear10+softmax') layers.push({ type: 'Softmax', dim: 1 });
      if (r.head === 'linear10+logsoftmax') layers.push({ type: 'LogSoftmax', dim: -1 });
      layers.forEach((l, i) => {
        if (r.names === 'unique') l.name = `L${i}`;
        if (r.names === 'random' && i < r.randomNames.length && r.randomNames[i] !== '') l.name = r.randomNames[i];
      });
      // `in`: left out, or the running feature count (right for flat inputs), or a wrong guess.
      let features = r.shape.reduce((a, b) => a * b, 1);
      for (const l of layers) {
        if (l.type === 'Flatten') features = r.shape.reduce((a, b) => a * b, 1);
        if (l.type === 'Linear') {
          if (r.inMode === 'correct') l.in = features;
          if (r.inMode === 'random') l.in = (features % 7) + 1;
          features = typeof l.out === 'number' ? l.out : features;
        }
      }
      const obj = { name: 'fuzz', input: { shape: r.shape, dataset: 'mnist' }, layers, init: { seed: 0 }, train: { batchSize: r.batchSize, loss: r.loss, optimizer: r.optimizer } };
      return JSON.stringify(obj, null, r.indent);
    });

/** Runs the built model on a batch of 2, layer by layer: the shapes PyTorch would give. */
function engineShapes(a: ModelAnalysis): number[][] {
  assert.ok(a.spec);
  const model = buildModel(a.spec);
  model.eval();
  let x = torch.rand([2, ...a.spec.input.shape]);
  const out: number[][] = [];
  torch.noGrad(() => {
    for (const m of model.children()) {
      x = m.forward(x);
      out.push([...x.shape]);
    }
  });
  return out;
}

describe('model fuzzing (fast-check, fixed seeds)', function () {
  this.timeout(120_000);

  it(`random text never throws (${FUZZ_RUNS.randomText} cases)`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.json({ maxDepth: 6 }), fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(''))), (text) => {
        analyseAndCheck(text);
      }),
      { seed: 20240401, numRuns: FUZZ_RUNS.randomText },
    );
  });

  it(`mutated example files never throw, and fixes always apply (${FUZZ_RUNS.mutatedText} cases)`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...EXAMPLES), fc.array(mutation, { minLength: 1, maxLength: 6 }), (base, ms) => {
        const text = ms.reduce(mutate, base);
        const a = analyseAndCheck(text);
        for (const d of a.diagnostics.slice(0, 5)) for (const f of d.fixes) analyseAndCheck(applyTextEdits(text, f.edits));
        try {
          loadModelSpec(text, 'fuzz.nn.json');
        } catch (e) {
          assert.ok(e instanceof Error && e.message.startsWith('fuzz.nn.json:'), String(e));
        }
      }),
      { seed: 7, numRuns: FUZZ_RUNS.mutatedText },
    );
  });

  it(`every valid random model builds and the engine's shapes are the inferred ones (${FUZZ_RUNS.randomModels} cases)`, () => {
    let valid = 0;
    fc.assert(
      fc.property(modelArb(true), (text) => {
        const a = analyseAndCheck(text);
        if (!a.spec) return;
        valid++;
        const got = engineShapes(a);
        const want = a.layers.map((l) => (l.outShape ?? []).map((d) => (d === 'B' ? 2 : d)));
        assert.deepEqual(got, want);
        const params = buildModel(a.spec).parameters().reduce((n, p) => n + p.numel(), 0);
        assert.equal(params, a.totalParams);
      }),
      { seed: 42, numRuns: FUZZ_RUNS.randomModels },
    );
    assert.ok(valid >= FUZZ_RUNS.randomModels / 3, `enough valid models to mean something: ${valid}`);
  });

  it(`the analysis is at least as strict as the JSON schema (${FUZZ_RUNS.schemaAgreement} cases)`, () => {
    fc.assert(
      fc.property(fc.oneof(modelArb(false), modelArb(true)), (text) => {
        const schemaErrors = validator.validate(parse(text));
        const a = analyzeModel(text);
        if (schemaErrors.length) assert.ok(a.diagnostics.length > 0, `schema: ${schemaErrors.join('; ')} but no diagnostic`);
        const schemaKinds = a.diagnostics.filter((d) => ['wrong-type', 'unknown-field', 'unknown-enum', 'unknown-layer-type', 'invalid-size', 'size-too-large', 'dropout-p'].includes(d.code));
        if (schemaKinds.length) assert.ok(schemaErrors.length > 0, `${schemaKinds.map((d) => d.message).join('; ')} but the schema accepts it`);
      }),
      { seed: 99, numRuns: FUZZ_RUNS.schemaAgreement },
    );
  });

  it('every prefix of the template, as while typing, analyses without throwing', () => {
    let withLayers = 0;
    for (let i = 0; i <= NEW_MODEL_TEMPLATE.length; i++) {
      const a = analyseAndCheck(NEW_MODEL_TEMPLATE.slice(0, i));
      if (a.layers.some((l) => l.outShape)) withLayers++;
    }
    // Partial text keeps what it can: shapes appear as soon as the first layer is typed.
    assert.ok(withLayers > NEW_MODEL_TEMPLATE.length / 3, String(withLayers));
  });

  it('deep nesting, huge numbers, long strings and odd unicode', () => {
    const valid = NEW_MODEL_TEMPLATE;
    const cases = [
      '['.repeat(200_000),
      '{"a":'.repeat(50_000),
      valid.replace('"shape": [784]', `"shape": ${'['.repeat(30)}784${']'.repeat(30)}`),
      valid.replace('"out": 64', `"out": ${'9'.repeat(5000)}`),
      valid.replace('"out": 64', '"out": 1e308'),
      valid.replace('"out": 64', '"out": -0'),
      valid.replace('"mnist-mlp"', JSON.stringify('x'.repeat(200_000))),
      valid.replace('"W1"', JSON.stringify('😀\u202E\u0000名前')),
      valid.replace('"W1"', '"\\uD800"'),
      valid.replace('"Linear"', JSON.stringify('L'.repeat(100_000))),
      valid.replace('"layers": [', `"layers": [${'{ "type": "ReLU" },'.repeat(20_000)}`),
      '\uFEFF' + valid,
      valid.replace(/\n/g, '\r'),
    ];
    for (const text of cases) {
      const a = analyseAndCheck(text);
      assert.ok(a.diagnostics.length > 0 || a.spec, 'either a diagnostic or a model');
    }
  });
});
