import * as assert from 'node:assert/strict';
import { analyze, assertClean, modelText, only, spanText, applyFix, codes } from './helpers';

describe('model/analyzeModel: the seed network', () => {
  it('the notebook network is clean, with PyTorch shapes, names and parameter counts', () => {
    const a = analyze(modelText());
    assertClean(a);
    assert.deepEqual(
      a.layers.map((l) => [l.name, l.type, l.inShape, l.outShape, l.params]),
      [
        ['W1', 'Linear', ['B', 784], ['B', 64], 50240],
        ['1', 'Sigmoid', ['B', 64], ['B', 64], 0],
        ['W2', 'Linear', ['B', 64], ['B', 10], 650],
        ['3', 'Softmax', ['B', 10], ['B', 10], 0],
      ],
    );
    assert.equal(a.totalParams, 50890);
    assert.deepEqual(a.spec?.layers[2], { type: 'Linear', name: 'W2', in: 64, out: 10, bias: true });
    assert.equal(a.summary.totalParams, 50890);
    assert.deepEqual(a.summary.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('reports a Linear whose in does not match, at the in value, and fixes it', () => {
    const text = modelText({ layers: ['{ "name": "W1", "type": "Linear", "in": 784, "out": 64 }', '{ "type": "Sigmoid" }', '{ "name": "W2", "type": "Linear", "in": 32, "out": 10 }'] });
    const a = analyze(text);
    const d = only(a, 'linear-in-mismatch');
    assert.equal(d.message, 'Linear W2 expects 32 input features but receives 64 from W1 (shape [B, 64])');
    assert.equal(spanText(text, d), '32');
    assert.equal(d.severity, 'error');
    assert.equal(a.spec, null);
    const fixed = applyFix(text, d);
    assert.ok(fixed.includes('"in": 64, "out": 10'));
    assertClean(analyze(fixed));
  });

  it('reports the loss not fitting the output: 10 classes expected for MNIST, got 12', () => {
    const text = modelText({ layers: ['{ "name": "W1", "type": "Linear", "out": 12 }'] });
    const a = analyze(text);
    const d = only(a, 'classes-mismatch');
    assert.equal(d.message, '10 classes expected for MNIST, got 12 from Linear W1 (output [B, 12])');
    assert.equal(spanText(text, d), '12');
    assertClean(analyze(applyFix(text, d)));
  });

  it('never throws on broken text and still reports', () => {
    for (const t of ['', '{', '[1, 2]', '{"layers": [', 'null', '{"input": 3, "layers": {}}']) {
      const a = analyze(t);
      assert.equal(a.spec, null, t);
      assert.ok(a.diagnostics.some((d) => d.severity === 'error'), t);
      assert.ok(!codes(a).includes('internal'), t);
    }
  });
});
