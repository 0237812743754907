/** Quick fixes are edit lists that keep the user's formatting and comments. */
import * as assert from 'node:assert/strict';
import type { DiagnosticCode } from '../../../src/model/codes';
import { applyTextEdits } from '../../../src/model/edits';
import { fixesAt } from '../../../src/model/hover';
import { analyze, only } from './helpers';

function fixed(text: string, code: DiagnosticCode, title?: string): string {
  const d = only(analyze(text), code);
  const fix = title ? d.fixes.find((f) => f.title === title) : d.fixes.find((f) => f.preferred);
  assert.ok(fix, `fix for ${code}: ${d.fixes.map((f) => f.title).join(', ')}`);
  return applyTextEdits(text, fix.edits);
}

const ML = (layers: string): string => `{
  "input": { "shape": [784] },
  "layers": [
${layers}
  ],
  "train": { "loss": "cross_entropy" } // the loss
}`;

describe('model quick fixes', () => {
  it('removing the last layer takes its comma from the line before, and its own trailing comment', () => {
    const text = ML('    { "type": "Linear", "out": 10 },   // logits\n    { "type": "Sigmoid" }  // squash');
    assert.equal(fixed(text, 'activation-before-loss'), ML('    { "type": "Linear", "out": 10 }   // logits'));
  });

  it('removing a last layer that has a trailing comma', () => {
    const text = ML('    { "type": "Linear", "out": 10 },\n    { "type": "Sigmoid" },');
    assert.equal(fixed(text, 'activation-before-loss'), ML('    { "type": "Linear", "out": 10 },'));
  });

  it('removing a layer on one line with others', () => {
    const text = '{ "input": { "shape": [784] }, "layers": [{ "type": "Linear", "out": 10 }, { "type": "Sigmoid" }, { "type": "Softmax" }] }';
    assert.equal(fixed(text, 'activation-before-loss'), '{ "input": { "shape": [784] }, "layers": [{ "type": "Linear", "out": 10 }, { "type": "Softmax" }] }');
  });

  it('removing a multi-line layer in the middle keeps the comment above it', () => {
    const text = ML('    { "type": "Linear", "out": 64 },\n    // hidden\n    {\n      "type": "Softmax"\n    },\n    { "type": "Linear", "out": 10 }');
    assert.equal(fixed(text, 'softmax-not-last'), ML('    { "type": "Linear", "out": 64 },\n    // hidden\n    { "type": "Linear", "out": 10 }'));
  });

  it('inserting a layer copies the indentation (tabs) and the CRLF line ends', () => {
    const text = '{\r\n\t"input": { "shape": [28, 28] },\r\n\t"layers": [\r\n\t\t{ "type": "Linear", "out": 10 }\r\n\t]\r\n}';
    assert.equal(fixed(text, 'needs-flatten'), '{\r\n\t"input": { "shape": [28, 28] },\r\n\t"layers": [\r\n\t\t{ "type": "Flatten" },\r\n\t\t{ "type": "Linear", "out": 10 }\r\n\t]\r\n}');
  });

  it('inserting into a one-line array stays on one line', () => {
    const text = '{ "input": { "shape": [784] }, "layers": [{ "type": "Linear", "out": 64 }, { "type": "Linear", "out": 10 }] }';
    assert.equal(fixed(text, 'linear-without-activation', 'Insert a Sigmoid before Linear 1'), '{ "input": { "shape": [784] }, "layers": [{ "type": "Linear", "out": 64 }, { "type": "Sigmoid" }, { "type": "Linear", "out": 10 }] }');
  });

  it('removing a property: first, middle, last', () => {
    const t = (props: string): string => `{ "input": { "shape": [784] }, "layers": [{ ${props} }] }`;
    assert.equal(fixed(t('"x": 1, "type": "Linear", "out": 10'), 'unknown-field', 'Remove "x"'), t('"type": "Linear", "out": 10'));
    assert.equal(fixed(t('"type": "Linear", "x": 1, "out": 10'), 'unknown-field', 'Remove "x"'), t('"type": "Linear", "out": 10'));
    assert.equal(fixed(t('"type": "Linear", "out": 10, "x": 1'), 'unknown-field', 'Remove "x"'), t('"type": "Linear", "out": 10'));
  });

  it('replacing a value touches nothing else on the line', () => {
    const text = ML('    { "name": "W1", "type": "Linear", "in": 700, "out": 10 } /* keep */');
    assert.equal(fixed(text, 'linear-in-mismatch'), ML('    { "name": "W1", "type": "Linear", "in": 784, "out": 10 } /* keep */'));
    assert.equal(fixed(text, 'linear-in-mismatch', 'Remove "in" (it is then inferred as 784)'), ML('    { "name": "W1", "type": "Linear", "out": 10 } /* keep */'));
  });

  it('every edit carries the same span as line/character range', () => {
    const text = ML('    { "type": "Linear", "out": 64 },\n    { "type": "Linear", "out": 12 }');
    const a = analyze(text);
    for (const d of a.diagnostics) {
      for (const f of d.fixes) {
        for (const e of f.edits) assert.deepEqual(e.range, a.lines.range(e.offset, e.length));
      }
    }
  });

  it('fixesAt finds the fixes of the diagnostics under a cursor or selection', () => {
    const text = ML('    { "type": "Linear", "out": 64 },\n    { "type": "Linear", "out": 12 }');
    const a = analyze(text);
    const at12 = text.indexOf('12');
    assert.deepEqual(fixesAt(a, at12).map((x) => x.fix.title), ['Set "out" of Linear 1 to 10']);
    assert.deepEqual(fixesAt(a, 0, text.length).map((x) => x.diagnostic.code), ['linear-without-activation', 'linear-without-activation', 'classes-mismatch']);
    assert.deepEqual(fixesAt(a, 1), []);
  });

  it('overlapping edits are refused rather than applied wrongly', () => {
    assert.throws(() => applyTextEdits('abcdef', [{ offset: 0, length: 3, newText: 'x' }, { offset: 2, length: 2, newText: 'y' }]), /overlapping edits/);
  });
});
