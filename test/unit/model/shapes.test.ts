/** Shape inference from input.shape through every layer, and the diagnostics it leads to. */
import * as assert from 'node:assert/strict';
import { inferShapes } from '../../../src/model/shapes';
import { analyze, applyFix, assertClean, modelText, only, spanText } from './helpers';

const shapes = (text: string): string[] => analyze(text).layers.map((l) => `${l.type} ${JSON.stringify(l.inShape)}→${JSON.stringify(l.outShape)}`);

describe('model/shapes', () => {
  it('infers `in` from the incoming last dimension and carries shapes through activations', () => {
    const text = modelText({ layers: ['{ "type": "Linear", "out": 32 }', '{ "type": "Tanh" }', '{ "type": "Dropout", "p": 0.1 }', '{ "type": "Linear", "out": 10, "bias": false }'] });
    const a = analyze(text);
    assertClean(a);
    assert.deepEqual(shapes(text), ['Linear ["B",784]→["B",32]', 'Tanh ["B",32]→["B",32]', 'Dropout ["B",32]→["B",32]', 'Linear ["B",32]→["B",10]']);
    assert.deepEqual(a.layers.map((l) => l.params), [784 * 32 + 32, 0, 0, 320]);
    assert.deepEqual(a.layers[3].weightShape, [10, 32]);
    assert.equal(a.layers[3].hasBias, false);
    assert.deepEqual(a.spec?.layers[3], { type: 'Linear', in: 32, out: 10, bias: false });
  });

  it('Flatten merges [28, 28] and [1, 28, 28] into 784 features, as torch.flatten(x, 1)', () => {
    for (const input of ['[28, 28]', '[1, 28, 28]']) {
      const text = modelText({ input: `{ "shape": ${input} }`, layers: ['{ "type": "Flatten" }', '{ "type": "Linear", "out": 10 }'] });
      assertClean(analyze(text));
      assert.deepEqual(analyze(text).layers[0].outShape, ['B', 784]);
    }
    const partial = modelText({ input: '{ "shape": [1, 28, 28] }', layers: ['{ "type": "Flatten", "startDim": 2 }', '{ "type": "Flatten", "startDim": -2, "endDim": -1 }', '{ "type": "Linear", "out": 10 }'] });
    assert.deepEqual(shapes(partial).slice(0, 2), ['Flatten ["B",1,28,28]→["B",1,784]', 'Flatten ["B",1,784]→["B",784]']);
  });

  it('a 2-D input reaching a Linear: a warning with a Flatten fix, and the loss shape error', () => {
    const text = modelText({ input: '{ "shape": [28, 28] }', layers: ['{ "name": "W1", "type": "Linear", "out": 10 }'] });
    const a = analyze(text);
    const d = only(a, 'needs-flatten');
    assert.equal(d.severity, 'warning');
    assert.equal(d.message, 'Linear W1 receives [B, 28, 28]: a Linear maps the last dimension only (28 features, once per row). Insert a Flatten before it to use all 784 values of each sample');
    assert.equal(only(a, 'loss-shape').message, 'cross_entropy needs one score per class, an output of shape [B, 10], but the model outputs [B, 28, 10]');
    const fixed = applyFix(text, d);
    assert.ok(fixed.includes('    { "type": "Flatten" },\n    { "name": "W1"'), fixed);
    assertClean(analyze(fixed));
  });

  it('a 2-D input with `in` set to all its values: an error whose fix inserts the Flatten', () => {
    const text = modelText({ input: '{ "shape": [28, 28] }', layers: ['{ "name": "W1", "type": "Linear", "in": 784, "out": 10 }'] });
    const d = only(analyze(text), 'needs-flatten');
    assert.equal(d.severity, 'error');
    assert.equal(spanText(text, d), '784');
    assert.match(d.message, /^Linear W1 expects 784 input features but receives \[B, 28, 28\]/);
    assertClean(analyze(applyFix(text, d)));
  });

  it('a Flatten fix also corrects an `in` written for one row', () => {
    const text = modelText({ input: '{ "shape": [28, 28] }', layers: ['{ "name": "W1", "type": "Linear", "in": 28, "out": 10 }'] });
    const d = only(analyze(text), 'needs-flatten');
    assert.equal(d.fixes[0].title, 'Insert a Flatten before Linear W1 and set "in" to 784');
    assertClean(analyze(applyFix(text, d)));
  });

  it('a mismatch names where the features come from: the input, a Linear, a Flatten', () => {
    const fromInput = modelText({ layers: ['{ "name": "W1", "type": "Linear", "in": 748, "out": 10 }'] });
    assert.equal(only(analyze(fromInput), 'linear-in-mismatch').message, 'Linear W1 expects 748 input features but receives 784 from the input (shape [B, 784])');
    const fromFlatten = modelText({ input: '{ "shape": [28, 28] }', layers: ['{ "name": "flat", "type": "Flatten" }', '{ "name": "W1", "type": "Linear", "in": 28, "out": 10 }'] });
    assert.equal(only(analyze(fromFlatten), 'linear-in-mismatch').message, 'Linear W1 expects 28 input features but receives 784 from flat (shape [B, 784])');
  });

  it('shapes continue after a mismatch, so every mismatch is reported', () => {
    const text = modelText({ layers: ['{ "name": "W1", "type": "Linear", "in": 100, "out": 64 }', '{ "type": "ReLU" }', '{ "name": "W2", "type": "Linear", "in": 32, "out": 10 }'] });
    const a = analyze(text);
    assert.deepEqual(a.diagnostics.map((d) => [d.code, spanText(text, d)]), [['linear-in-mismatch', '100'], ['linear-in-mismatch', '32']]);
    assert.deepEqual(a.layers[2].outShape, ['B', 10]);
  });

  it('dims out of range get PyTorch\'s message with the incoming shape', () => {
    const text = modelText({ layers: ['{ "type": "Linear", "out": 10 }', '{ "type": "Softmax", "dim": 2 }'] });
    const d = only(analyze(text), 'dim-out-of-range');
    assert.equal(d.message, 'Softmax 1: Dimension out of range (expected to be in range of [-2, 1], but got 2) for its input of shape [B, 10]');
    assertClean(analyze(applyFix(text, d)));
    const neg = modelText({ layers: ['{ "type": "Linear", "out": 10 }', '{ "type": "LogSoftmax", "dim": -3 }'], train: '{ "loss": "nll_loss" }' });
    assert.equal(spanText(neg, only(analyze(neg), 'dim-out-of-range')), '-3');
    const negOk = modelText({ layers: ['{ "type": "Linear", "out": 10 }', '{ "type": "Softmax", "dim": -1 }'] });
    assertClean(analyze(negOk));
    const flat = modelText({ input: '{ "shape": [28, 28] }', layers: ['{ "type": "Flatten", "endDim": 3 }', '{ "type": "Linear", "out": 10 }'] });
    assert.match(only(analyze(flat), 'dim-out-of-range').message, /Flatten 0: Dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)/);
  });

  it('Flatten over the batch dimension, and start after end', () => {
    const batch = modelText({ input: '{ "shape": [28, 28] }', layers: ['{ "type": "Flatten", "startDim": 0 }', '{ "type": "Linear", "out": 10 }'] });
    const d = only(analyze(batch), 'flatten-batch');
    assert.equal(spanText(batch, d), '0');
    assertClean(analyze(applyFix(batch, d)));
    const order = modelText({ input: '{ "shape": [28, 28] }', layers: ['{ "type": "Flatten", "startDim": 2, "endDim": 1 }', '{ "type": "Linear", "out": 10 }'] });
    assert.equal(only(analyze(order), 'flatten-order').message, 'Flatten 0: flatten() has invalid args: start_dim cannot come after end_dim');
  });

  it('Softmax over the batch dimension is a warning with a fix', () => {
    const text = modelText({ layers: ['{ "type": "Linear", "out": 10 }', '{ "type": "Softmax", "dim": 0 }'] });
    const d = only(analyze(text), 'softmax-batch-dim');
    assert.equal(d.severity, 'warning');
    assertClean(analyze(applyFix(text, d)));
  });

  it('an unknown layer leaves the shapes after it unknown rather than guessed', () => {
    const text = modelText({ layers: ['{ "type": "Linear", "out": 64 }', '{ "type": "Swish" }', '{ "type": "Linear", "out": 10 }'] });
    const a = analyze(text);
    assert.deepEqual(a.layers.map((l) => l.outShape), [['B', 64], null, null]);
    assert.equal(a.layers[2].params, 0);
    assert.deepEqual(a.diagnostics.map((d) => d.code), ['unknown-layer-type']);
  });

  it('inferShapes is pure data: the same result for a spec and for the analysis', () => {
    const r = inferShapes([784], [
      { type: 'Linear', name: 'W1', out: 64 },
      { type: 'Sigmoid', name: '1' },
      { type: 'Linear', name: 'W2', in: 32, out: 10 },
    ]);
    assert.deepEqual(r.output, ['B', 10]);
    assert.deepEqual(r.issues, [{ kind: 'linear-in-mismatch', layer: 2, expected: 32, received: 64, from: 'W1', shape: ['B', 64] }]);
  });
});
