/** Every field with a wrong type or value gets a diagnostic at its exact span, never an exception. */
import * as assert from 'node:assert/strict';
import type { DiagnosticCode } from '../../../src/model/codes';
import { analyze, applyFix, assertClean, modelText, only, spanText } from './helpers';

const LINEAR = (extra: string): string[] => [`{ "name": "W1", "type": "Linear", "out": 10${extra} }`];

interface Case {
  what: string;
  text: string;
  code: DiagnosticCode;
  span: string;
  message?: RegExp;
  severity?: 'error' | 'warning';
  /** The preferred fix makes the file clean. */
  fixes?: boolean;
}

const cases: Case[] = [
  // root
  { what: 'name not a string', text: modelText().replace('"name": "test"', '"name": 3'), code: 'wrong-type', span: '3', message: /^name must be a string, got 3$/ },
  { what: 'input not an object', text: modelText({ input: '[784]' }), code: 'wrong-type', span: '[784]', message: /^input must be an object, got an array$/ },
  { what: 'input.shape not an array', text: modelText({ input: '{ "shape": 784 }' }), code: 'wrong-type', span: '784' },
  { what: 'input.shape empty', text: modelText({ input: '{ "shape": [] }' }), code: 'invalid-size', span: '[]' },
  { what: 'input.shape with a zero', text: modelText({ input: '{ "shape": [0, 784] }' }), code: 'invalid-size', span: '0', message: /input\.shape\[0\] must be a positive integer, got 0/ },
  { what: 'input.shape with a string', text: modelText({ input: '{ "shape": ["784"] }' }), code: 'wrong-type', span: '"784"', fixes: true },
  { what: 'input.shape not 784 values', text: modelText({ input: '{ "shape": [28, 27] }', layers: ['{ "type": "Flatten" }', '{ "type": "Linear", "out": 10 }'] }), code: 'input-size', span: '[28, 27]', message: /756 values but MNIST images have 784 pixels/, fixes: true },
  { what: 'input.shape missing', text: modelText({ input: '{ "dataset": "mnist" }' }), code: 'missing-field', span: '"input"' },
  { what: 'unknown dataset', text: modelText({ input: '{ "shape": [784], "dataset": "Fashion-MNIST" }' }), code: 'unknown-enum', span: '"Fashion-MNIST"', message: /did you mean "fashion-mnist"/, fixes: true },
  { what: 'layers not an array', text: modelText().replace(/"layers": \[[\s\S]*?\n {2}\],/, '"layers": {},'), code: 'wrong-type', span: '{}' },
  { what: 'a layer not an object', text: modelText({ layers: ['"Linear"', '{ "type": "Linear", "out": 10 }'] }), code: 'wrong-type', span: '"Linear"' },
  // layers
  { what: 'layer without type', text: modelText({ layers: ['{ "out": 10 }'] }), code: 'missing-field', span: '{' },
  { what: 'unknown layer type', text: modelText({ layers: ['{ "type": "Dense", "out": 10 }'] }), code: 'unknown-layer-type', span: '"Dense"', message: /did you mean "Linear"/, fixes: true },
  { what: 'lower-case layer type', text: modelText({ layers: ['{ "type": "Linear", "out": 10 }', '{ "type": "softmax" }'] }), code: 'unknown-layer-type', span: '"softmax"', fixes: true },
  { what: 'layer type not a string', text: modelText({ layers: ['{ "type": 1, "out": 10 }'] }), code: 'wrong-type', span: '1' },
  { what: 'Linear without out', text: modelText({ layers: ['{ "type": "Linear", "in": 784 }'] }), code: 'missing-field', span: '{', message: /Linear 0 has no "out"/ },
  { what: 'out of 0', text: modelText({ layers: LINEAR('').map((l) => l.replace('"out": 10', '"out": 0')) }), code: 'invalid-size', span: '0', message: /Linear W1: "out" must be a positive integer, got 0/ },
  { what: 'negative in', text: modelText({ layers: LINEAR(', "in": -784') }), code: 'invalid-size', span: '-784' },
  { what: 'fractional out', text: modelText({ layers: ['{ "type": "Linear", "out": 10.5 }'] }), code: 'invalid-size', span: '10.5' },
  { what: 'huge out', text: modelText({ layers: ['{ "type": "Linear", "out": 1e12 }'] }), code: 'size-too-large', span: '1e12', message: /at most 2,147,483,647/ },
  { what: 'out beyond float range', text: modelText({ layers: ['{ "type": "Linear", "out": 1e400 }'] }), code: 'size-too-large', span: '1e400' },
  { what: 'out as a string', text: modelText({ layers: ['{ "type": "Linear", "out": "10" }'] }), code: 'wrong-type', span: '"10"', message: /must be a positive integer, got the string "10"/, fixes: true },
  { what: 'bias not a boolean', text: modelText({ layers: LINEAR(', "bias": "false"') }), code: 'wrong-type', span: '"false"', fixes: true },
  { what: 'dim not an integer', text: modelText({ layers: [...LINEAR(''), '{ "type": "Softmax", "dim": 1.5 }'] }), code: 'invalid-value', span: '1.5' },
  { what: 'startDim not a number', text: modelText({ layers: ['{ "type": "Flatten", "startDim": "1" }', ...LINEAR('')] }), code: 'wrong-type', span: '"1"', fixes: true },
  { what: 'dropout p out of range', text: modelText({ layers: [...LINEAR(''), '{ "type": "Dropout", "p": 1.5 }'] }), code: 'dropout-p', span: '1.5', message: /^dropout probability has to be between 0 and 1, but got 1\.5$/ },
  { what: 'dropout p not a number', text: modelText({ layers: [...LINEAR(''), '{ "type": "Dropout", "p": null }'] }), code: 'wrong-type', span: 'null' },
  { what: 'name not a string', text: modelText({ layers: ['{ "name": 1, "type": "Linear", "out": 10 }'] }), code: 'wrong-type', span: '1' },
  { what: 'name with a dot', text: modelText({ layers: ['{ "name": "fc.1", "type": "Linear", "out": 10 }'] }), code: 'invalid-name', span: '"fc.1"', message: /module name can't contain "\."/, fixes: true },
  { what: 'empty name', text: modelText({ layers: ['{ "name": "", "type": "Linear", "out": 10 }'] }), code: 'invalid-name', span: '""', message: /can't be empty/ },
  { what: 'a name nn.Sequential already has', text: modelText({ layers: ['{ "name": "forward", "type": "Linear", "out": 10 }'] }), code: 'invalid-name', span: '"forward"', message: /attribute 'forward' already exists/ },
  { what: 'a name that is no identifier', text: modelText({ layers: ['{ "name": "fc-1", "type": "Linear", "out": 10 }'] }), code: 'name-not-identifier', span: '"fc-1"', severity: 'warning' },
  // init
  { what: 'negative seed', text: modelText({ extra: '"init": { "seed": -1 }' }), code: 'invalid-value', span: '-1' },
  { what: 'seed beyond 2^53', text: modelText({ extra: '"init": { "seed": 1e20 }' }), code: 'invalid-value', span: '1e20' },
  { what: 'unknown init scheme', text: modelText({ extra: '"init": { "scheme": "xavier" }' }), code: 'unknown-enum', span: '"xavier"' },
  { what: 'init not an object', text: modelText({ extra: '"init": 0' }), code: 'wrong-type', span: '0' },
  // train
  { what: 'train not an object', text: modelText({ train: '"sgd"' }), code: 'wrong-type', span: '"sgd"' },
  { what: 'batchSize 0', text: modelText({ train: '{ "batchSize": 0 }' }), code: 'invalid-size', span: '0' },
  { what: 'epochs fractional', text: modelText({ train: '{ "epochs": 2.5 }' }), code: 'invalid-size', span: '2.5' },
  { what: 'shuffle as a string', text: modelText({ train: '{ "shuffle": "yes" }' }), code: 'wrong-type', span: '"yes"' },
  { what: 'PyTorch class name as loss', text: modelText({ train: '{ "loss": "CrossEntropyLoss" }' }), code: 'unknown-enum', span: '"CrossEntropyLoss"', message: /did you mean "cross_entropy"/, fixes: true },
  { what: 'unknown optimizer', text: modelText({ train: '{ "optimizer": { "type": "SGD" } }' }), code: 'unknown-enum', span: '"SGD"', fixes: true },
  { what: 'negative lr', text: modelText({ train: '{ "optimizer": { "type": "sgd", "lr": -0.1 } }' }), code: 'invalid-value', span: '-0.1', message: /^Invalid learning rate: -0\.1$/ },
  { what: 'negative momentum', text: modelText({ train: '{ "optimizer": { "type": "sgd", "momentum": -1 } }' }), code: 'invalid-value', span: '-1', message: /^Invalid momentum value: -1$/ },
  { what: 'nesterov without momentum', text: modelText({ train: '{ "optimizer": { "type": "sgd", "nesterov": true } }' }), code: 'nesterov-invalid', span: 'true', message: /^Nesterov momentum requires a momentum and zero dampening$/ },
  { what: 'a beta of 1', text: modelText({ train: '{ "optimizer": { "type": "adam", "betas": [0.9, 1] } }' }), code: 'invalid-value', span: '1', message: /^Invalid beta parameter at index 1: 1$/ },
  { what: 'betas not a pair', text: modelText({ train: '{ "optimizer": { "type": "adam", "betas": 0.9 } }' }), code: 'wrong-type', span: '0.9' },
  { what: 'negative eps', text: modelText({ train: '{ "optimizer": { "type": "adam", "eps": -1e-8 } }' }), code: 'invalid-value', span: '-1e-8', message: /^Invalid epsilon value: -1e-8$/ },
  { what: 'negative weight decay', text: modelText({ train: '{ "optimizer": { "type": "adam", "weightDecay": -1 } }' }), code: 'invalid-value', span: '-1', message: /^Invalid weight_decay value: -1$/ },
  { what: 'an sgd option on adam', text: modelText({ train: '{ "optimizer": { "type": "adam", "momentum": 0.9 } }' }), code: 'optimizer-field-ignored', span: '"momentum"', severity: 'warning', fixes: true },
  // unknown and duplicate fields (warnings, with fixes)
  { what: 'unknown root field', text: modelText({ extra: '"epochs": 3' }), code: 'unknown-field', span: '"epochs"', severity: 'warning', fixes: true },
  { what: 'PyTorch field name', text: modelText({ layers: ['{ "type": "Linear", "out_features": 10 }'] }), code: 'unknown-field', span: '"out_features"', message: /did you mean "out"/, severity: 'warning' },
  { what: 'a field of another layer type', text: modelText({ layers: ['{ "type": "Linear", "out": 10, "p": 0.5 }'] }), code: 'unknown-field', span: '"p"', message: /Linear has no field "p" \(it belongs to Dropout\)/, severity: 'warning', fixes: true },
  { what: 'duplicate key', text: modelText({ layers: ['{ "type": "Linear", "out": 12, "out": 10 }'] }), code: 'duplicate-key', span: '"out"', severity: 'warning', fixes: true },
  { what: 'a field without a value', text: modelText({ layers: ['{ "type": "Linear", "out": }'] }), code: 'missing-field', span: '"out"' },
];

describe('model/analyzeModel: fields', () => {
  for (const c of cases) {
    it(`${c.what}: ${c.code} at ${c.span}`, () => {
      const a = analyze(c.text);
      const d = only(a, c.code);
      assert.equal(spanText(c.text, d), c.span);
      assert.equal(d.severity, c.severity ?? 'error');
      if (c.message) assert.match(d.message, c.message);
      assert.equal(a.spec === null, a.diagnostics.some((x) => x.severity === 'error'));
      // The line/character range is the same span as the offsets.
      assert.deepEqual(d.range, a.lines.range(d.offset, d.length));
      if (c.fixes) assertClean(analyze(applyFix(c.text, d)));
    });
  }

  it('a PyTorch field name is renamed by its fix when the right one is absent', () => {
    const text = modelText({ layers: ['{ "name": "W1", "type": "Linear", "in_features": 784, "out": 10 }'] });
    const d = only(analyze(text), 'unknown-field');
    const fixed = applyFix(text, d);
    assert.ok(fixed.includes('"in": 784'));
    assertClean(analyze(fixed));
  });

  it('a quoted number is unquoted by its fix', () => {
    const text = modelText({ train: '{ "batchSize": "32" }' });
    const fixed = applyFix(text, only(analyze(text), 'wrong-type'));
    assert.ok(fixed.includes('"batchSize": 32'));
    assert.equal(analyze(fixed).spec?.train.batchSize, 32);
  });

  it('reports several problems at once, in text order', () => {
    const text = modelText({ layers: ['{ "type": "Lnear", "out": 10 }', '{ "type": "Dropout", "p": 2 }'], train: '{ "batchSize": -1, "loss": "hinge" }' });
    const a = analyze(text);
    assert.deepEqual(a.diagnostics.map((d) => d.code), ['unknown-layer-type', 'dropout-p', 'invalid-size', 'unknown-enum']);
    const offsets = a.diagnostics.map((d) => d.offset);
    assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y));
  });

  it('reads comments, trailing commas and CRLF line ends', () => {
    const text = modelText().replace('"name": "test",', '"name": "test", // a comment\n  /* block */').replace('{ "type": "Softmax", "dim": 1 }', '{ "type": "Softmax", "dim": 1, },').replace(/\n/g, '\r\n');
    const a = analyze(text);
    assertClean(a);
    const bad = analyze(text.replace('"in": 784', '"in": 78'));
    const d = only(bad, 'linear-in-mismatch');
    assert.equal(d.range.start.line, 5);
    assert.equal(spanText(text.replace('"in": 784', '"in": 78'), d), '78');
  });
});
