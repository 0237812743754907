import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type ParseError } from 'jsonc-parser';
import { analyzeModel } from '../../../src/model/analyze';
import { ADAM_FIELDS, DEFAULT_LR, DEFAULT_TRAIN, INIT_FIELDS, INIT_SCHEMES, INPUT_FIELDS, LAYER_FIELDS, ROOT_FIELDS, SGD_FIELDS, TRAIN_FIELDS } from '../../../src/model/read';
import { DATASETS, LAYER_TYPES, LOSSES, OPTIMIZERS, type LayerType } from '../../../src/model/spec';
import { NEW_MODEL_TEMPLATE } from '../../../src/model/templates';
import { Validator, type Schema } from './schema-validator';

const ROOT = join(__dirname, '../../..');
type Obj = Record<string, unknown>;
const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/nn.schema.json'), 'utf8')) as Obj;
const validator = new Validator(schema);
const defs = schema.definitions as Record<string, Obj>;

function jsonc(text: string): unknown {
  const errors: ParseError[] = [];
  const v: unknown = parse(text, errors, { allowTrailingComma: true });
  assert.deepEqual(errors, [], 'parses');
  return v;
}

const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.nn.json'));

function props(o: Obj): Obj {
  return o.properties as Obj;
}

/** The `then` branch of the layer schema that applies to `type`. */
function layerBranch(type: LayerType): Obj {
  const branches = defs.layer.allOf as { if: Obj; then: Obj }[];
  const hits = branches.filter((b) => validator.validate({ type }, b.if).length === 0);
  assert.equal(hits.length, 1, `one branch for ${type}`);
  return hits[0].then;
}

describe('schemas/nn.schema.json', () => {
  it('there are at least four examples: the notebook network, ReLU, deeper, Fashion-MNIST', () => {
    for (const f of ['mnist-mlp.nn.json', 'mnist-relu.nn.json', 'mnist-deep.nn.json', 'fashion-mnist.nn.json']) assert.ok(examples.includes(f), f);
  });

  for (const f of examples) {
    it(`validates examples/${f}, which analyzeModel also accepts without a diagnostic`, () => {
      const text = readFileSync(join(ROOT, 'examples', f), 'utf8');
      assert.deepEqual(validator.validate(jsonc(text)), []);
      const a = analyzeModel(text);
      assert.deepEqual(a.diagnostics.map((d) => d.message), []);
      assert.ok(a.spec);
    });
  }

  it('validates the New Model template, which is examples/mnist-mlp.nn.json', () => {
    assert.deepEqual(validator.validate(jsonc(NEW_MODEL_TEMPLATE)), []);
    assert.equal(readFileSync(join(ROOT, 'examples/mnist-mlp.nn.json'), 'utf8'), NEW_MODEL_TEMPLATE);
  });

  it('rejects what the format forbids', () => {
    const ok = jsonc(NEW_MODEL_TEMPLATE) as Obj;
    const variants: [string, (m: Obj) => void, RegExp][] = [
      ['missing input', (m) => delete m.input, /missing "input"/],
      ['unknown layer type', (m) => ((m.layers as Obj[])[0].type = 'Lnear'), /layers\[0\]\.type: not one of/],
      ['negative out', (m) => ((m.layers as Obj[])[0].out = -1), /layers\[0\]\.out: below 1/],
      ['fractional in', (m) => ((m.layers as Obj[])[0].in = 1.5), /layers\[0\]\.in: expected integer/],
      ['a field of another layer type', (m) => ((m.layers as Obj[])[0].dim = 1), /layers\[0\]: unknown property "dim"/],
      ['unknown root field', (m) => (m.layer = []), /unknown property "layer"/],
      ['adam with momentum', (m) => ((m.train as Obj).optimizer = { type: 'adam', momentum: 0.9 }), /optimizer: unknown property "momentum"/],
      ['beta of 1', (m) => ((m.train as Obj).optimizer = { type: 'adam', betas: [0.9, 1] }), /betas\[1\]: not below 1/],
      ['dropout p above 1', (m) => (m.layers as Obj[]).push({ type: 'Dropout', p: 1.5 }), /p: above 1/],
      ['a name with a dot', (m) => ((m.layers as Obj[])[0].name = 'a.b'), /name: does not match/],
      ['empty shape', (m) => ((m.input as Obj).shape = []), /shape: fewer than 1 items/],
      ['unknown loss', (m) => ((m.train as Obj).loss = 'hinge'), /loss: not one of/],
    ];
    for (const [what, mutate, expected] of variants) {
      const m = structuredClone(ok);
      mutate(m);
      const errs = validator.validate(m);
      assert.ok(errs.some((e) => expected.test(e)), `${what}: ${JSON.stringify(errs)}`);
    }
  });

  it('agrees with src/model on every enum', () => {
    assert.deepEqual(props(defs.layer).type && (props(defs.layer).type as Obj).enum, [...LAYER_TYPES]);
    assert.deepEqual((props(defs.optimizer).type as Obj).enum, [...OPTIMIZERS]);
    assert.deepEqual((props(defs.train).loss as Obj).enum, [...LOSSES]);
    assert.deepEqual((props(defs.input).dataset as Obj).enum, [...DATASETS]);
    assert.deepEqual((props(defs.init).scheme as Obj).enum, [...INIT_SCHEMES]);
  });

  it('agrees with src/model on the fields of every object and layer type', () => {
    const keys = (o: Obj): string[] => Object.keys(props(o)).sort();
    assert.deepEqual(keys(schema).filter((k) => k !== '$schema'), [...ROOT_FIELDS].sort());
    assert.deepEqual(keys(defs.input), [...INPUT_FIELDS].sort());
    assert.deepEqual(keys(defs.init), [...INIT_FIELDS].sort());
    assert.deepEqual(keys(defs.train), [...TRAIN_FIELDS].sort());
    assert.deepEqual(keys((defs.optimizer as Obj).then as Obj), [...ADAM_FIELDS].sort());
    assert.deepEqual(keys((defs.optimizer as Obj).else as Obj), [...SGD_FIELDS].sort());
    for (const t of LAYER_TYPES) assert.deepEqual(keys(layerBranch(t)), ['name', 'type', ...LAYER_FIELDS[t]].sort(), t);
  });

  it('gives every field a description and a default', () => {
    const missing: string[] = [];
    const visited = new Set<string>();
    const walk = (s: Schema, path: string): void => {
      if (typeof s !== 'object') return;
      for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
        if (v === true) continue; // re-allowed in a then-branch; documented on the layer itself
        visited.add(`${path}.${k}`);
        const target = typeof v === 'object' && typeof v.$ref === 'string' && !('description' in v) ? defs[v.$ref.split('/').pop() as string] : v;
        if (typeof target === 'object' && (!('description' in target) || !('default' in target))) missing.push(`${path}.${k}`);
        walk(typeof v === 'object' && typeof v.$ref === 'string' ? (defs[v.$ref.split('/').pop() as string] as Schema) : v, `${path}.${k}`);
      }
      for (const sub of [...((s.allOf ?? []) as Obj[]).map((b) => b.then as Schema), s.then as Schema, s.else as Schema]) if (sub) walk(sub, path);
      if (typeof s.items === 'object' && s.items !== null) {
        const it = s.items as Obj;
        walk(typeof it.$ref === 'string' ? (defs[it.$ref.split('/').pop() as string] as Schema) : (it as Schema), `${path}[]`);
      }
    };
    walk(schema, '$');
    assert.deepEqual(missing, []);
    for (const p of ['$.name', '$.input.shape', '$.layers[].type', '$.layers[].in', '$.layers[].p', '$.layers[].endDim', '$.train.optimizer.betas', '$.train.optimizer.nesterov', '$.init.seed']) {
      assert.ok(visited.has(p), `walked ${p}: ${[...visited].join(' ')}`);
    }
  });

  it('states the defaults analyzeModel fills in', () => {
    const a = analyzeModel('{ "input": { "shape": [784] }, "layers": [ { "type": "Flatten" }, { "name": "W", "type": "Linear", "out": 10 }, { "type": "Dropout" }, { "type": "Softmax" } ] }');
    assert.ok(a.spec, JSON.stringify(a.diagnostics));
    const d = (o: Obj, k: string): unknown => (props(o)[k] as Obj).default;
    assert.equal(a.spec.input.dataset, d(defs.input, 'dataset'));
    assert.equal(a.spec.init.seed, d(defs.init, 'seed'));
    assert.equal(a.spec.init.scheme, d(defs.init, 'scheme'));
    for (const k of ['batchSize', 'epochs', 'shuffle', 'loss'] as const) {
      assert.equal(a.spec.train[k], d(defs.train, k), k);
      assert.equal(DEFAULT_TRAIN[k], d(defs.train, k), k);
    }
    assert.equal(a.spec.train.optimizer.type, d(defs.optimizer, 'type'));
    assert.equal(a.spec.train.optimizer.lr, d((defs.optimizer as Obj).else as Obj, 'lr'));
    assert.equal(DEFAULT_LR.adam, d((defs.optimizer as Obj).then as Obj, 'lr'));
    assert.deepEqual(a.spec.layers[0], { type: 'Flatten', startDim: d(layerBranch('Flatten'), 'startDim'), endDim: d(layerBranch('Flatten'), 'endDim') });
    assert.equal((a.spec.layers[1] as unknown as Obj).bias, d(layerBranch('Linear'), 'bias'));
    assert.equal((a.spec.layers[2] as unknown as Obj).p, d(layerBranch('Dropout'), 'p'));
    assert.equal((a.spec.layers[3] as unknown as Obj).dim, d(layerBranch('Softmax'), 'dim'));
    const adam = analyzeModel('{ "input": { "shape": [784] }, "layers": [ { "type": "Linear", "out": 10 } ], "train": { "optimizer": { "type": "adam" } } }');
    assert.equal(adam.spec?.train.optimizer.lr, DEFAULT_LR.adam);
  });
});
