/** Checks of the whole model: names, Softmax's place, the loss against the output, PyTorch traps, limits. */
import * as assert from 'node:assert/strict';
import { analyze, applyFix, assertClean, codes, modelText, only, spanText } from './helpers';

describe('model/analyzeModel: the model as a whole', () => {
  it('duplicate layer names break the state_dict: reported at the second name, renamed by the fix', () => {
    const text = modelText({ layers: ['{ "name": "W1", "type": "Linear", "out": 64 }', '{ "type": "ReLU" }', '{ "name": "W1", "type": "Linear", "out": 10 }'] });
    const a = analyze(text);
    const d = only(a, 'duplicate-name');
    assert.equal(d.message, 'Duplicate layer name "W1" (also layers[0]): state_dict keys must be unique, and nn.Sequential refuses two children with one name');
    assert.equal(d.range.start.line, 6);
    assert.equal(d.fixes[0].title, 'Rename to "W2"');
    assertClean(analyze(applyFix(text, d)));
  });

  it('a name that equals another layer\'s index is a duplicate too', () => {
    const text = modelText({ layers: ['{ "name": "h", "type": "Linear", "out": 64 }', '{ "type": "ReLU" }', '{ "name": "1", "type": "Linear", "out": 10 }'] });
    const d = only(analyze(text), 'duplicate-name');
    assert.equal(spanText(text, d), '"1"');
  });

  it('Softmax anywhere but last is an error; removing it is the fix', () => {
    const text = modelText({ layers: ['{ "type": "Linear", "out": 64 }', '{ "type": "Softmax", "dim": 1 }', '{ "type": "Linear", "out": 10 }'] });
    const d = only(analyze(text), 'softmax-not-last');
    assert.match(d.message, /^Softmax 1 is layer 2 of 3: Softmax belongs only at the end/);
    assert.equal(spanText(text, d), '"Softmax"');
    const fixed = applyFix(text, d);
    assert.ok(!fixed.includes('Softmax'));
    assert.deepEqual(codes(analyze(fixed)), ['linear-without-activation']);
  });

  it('a model without parameters is refused as PyTorch\'s optimizer would', () => {
    const a = analyze(modelText({ layers: ['{ "type": "ReLU" }'] }));
    assert.ok(codes(a).includes('no-parameters'));
    assert.equal(a.spec, null);
  });

  it('the last out must match the dataset\'s classes (and a custom class count)', () => {
    const text = modelText({ layers: ['{ "name": "W1", "type": "Linear", "out": 64 }', '{ "type": "ReLU" }', '{ "name": "W2", "type": "Linear", "out": 12 }', '{ "type": "Softmax" }'] });
    assert.equal(only(analyze(text), 'classes-mismatch').message, '10 classes expected for MNIST, got 12 from Linear W2 (output [B, 12])');
    const fashion = text.replace('"dataset": "mnist"', '"dataset": "fashion-mnist"');
    assert.match(only(analyze(fashion), 'classes-mismatch').message, /^10 classes expected for Fashion-MNIST, got 12/);
    const custom = analyze(text, { classes: 12, classNames: 'abcdefghijkl'.split(''), datasetLabel: 'letters' });
    assertClean(custom);
    assert.deepEqual(custom.summary.classNames, 'abcdefghijkl'.split(''));
    assert.match(only(analyze(text, { classes: 26, datasetLabel: 'EMNIST letters' }), 'classes-mismatch').message, /^26 classes expected for EMNIST letters, got 12/);
    assert.deepEqual(analyze(text, { classes: 12 }).summary.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
  });

  describe('PyTorch traps (warnings, the model still builds)', () => {
    it('a Sigmoid output with cross_entropy', () => {
      const text = modelText({ layers: ['{ "type": "Linear", "out": 10 }', '{ "type": "Sigmoid" }'] });
      const a = analyze(text);
      const d = only(a, 'activation-before-loss');
      assert.equal(d.severity, 'warning');
      assert.match(d.message, /cross_entropy applies log-softmax to the logits itself: a Sigmoid on the output squashes the logits into \(0, 1\)/);
      assert.ok(a.spec);
      assertClean(analyze(applyFix(text, d)));
    });

    it('a Sigmoid before a final Softmax is the same trap; a final Softmax alone is fine', () => {
      const text = modelText({ layers: ['{ "type": "Linear", "out": 10 }', '{ "type": "Sigmoid" }', '{ "type": "Softmax" }'] });
      assert.equal(spanText(text, only(analyze(text), 'activation-before-loss')), '"Sigmoid"');
      assertClean(analyze(modelText({ layers: ['{ "type": "Linear", "out": 10 }', '{ "type": "Softmax" }'] })));
    });

    it('LogSoftmax with cross_entropy: the fix switches to nll_loss', () => {
      const text = modelText({ layers: ['{ "type": "Linear", "out": 10 }', '{ "type": "LogSoftmax", "dim": 1 }'] });
      const d = only(analyze(text), 'logsoftmax-cross-entropy');
      const fixed = applyFix(text, d);
      assert.ok(fixed.includes('"loss": "nll_loss"'));
      assertClean(analyze(fixed));
    });

    it('nll_loss without a final LogSoftmax', () => {
      const text = modelText({ layers: ['{ "type": "Linear", "out": 10 }', '{ "type": "Softmax", "dim": 1 }'], train: '{ "loss": "nll_loss" }' });
      const d = only(analyze(text), 'nll-without-logsoftmax');
      assert.equal(spanText(text, d), '"nll_loss"');
      assert.equal(d.fixes[0].title, 'Change Softmax 1 to LogSoftmax');
      assertClean(analyze(applyFix(text, d)));
      assertClean(analyze(applyFix(text, d, 'Change the loss to cross_entropy')));
    });

    it('mse_loss on class labels', () => {
      const text = modelText({ layers: ['{ "type": "Linear", "out": 10 }'], train: '{ "loss": "mse_loss" }' });
      const d = only(analyze(text), 'mse-on-labels');
      assert.match(d.message, /^mse_loss on class labels: MNIST targets are class indices of shape \[B\], not \[B, 10\]/);
      assertClean(analyze(applyFix(text, d)));
    });

    it('no activation between two Linears (Dropout and Flatten do not count)', () => {
      const text = modelText({ layers: ['{ "name": "W1", "type": "Linear", "out": 64 }', '{ "type": "Dropout" }', '{ "name": "W2", "type": "Linear", "out": 10 }'] });
      const d = only(analyze(text), 'linear-without-activation');
      assert.equal(d.message, 'No activation between Linear W1 and Linear W2: two Linears in a row compute one linear map, so W2 adds parameters but no power. Insert a ReLU or Sigmoid between them');
      const fixed = applyFix(text, d);
      assert.ok(fixed.includes('{ "type": "Dropout" },\n    { "type": "ReLU" },\n    { "name": "W2"'), fixed);
      assertClean(analyze(fixed));
    });
  });

  describe('limits: refused before anything is allocated', () => {
    const big = modelText({ layers: ['{ "name": "W1", "type": "Linear", "out": 100000 }', '{ "type": "ReLU" }', '{ "name": "W2", "type": "Linear", "out": 10 }'] });

    it('too many parameters', () => {
      const a = analyze(big);
      const d = only(a, 'too-many-parameters');
      assert.equal(d.message, 'The model has 79,500,010 parameters, more than the limit of 10,000,000 (the largest layer, Linear W1, has 78,500,000): it is not built');
      assert.equal(spanText(big, d), '"layers"');
      assert.equal(a.spec, null);
      assert.equal(a.totalParams, 79500010);
      assertClean(analyze(big, { limits: { maxParams: 100_000_000, maxBytes: 4e9 } }));
    });

    it('layers whose parameter count is far beyond any memory (1e9 × 1e9) are refused the same way', () => {
      const text = modelText({ input: '{ "shape": [784] }', layers: ['{ "type": "Linear", "out": 2000000000 }', '{ "type": "ReLU" }', '{ "type": "Linear", "out": 10 }'] });
      const a = analyze(text);
      assert.ok(codes(a).includes('too-many-parameters'));
      assert.equal(a.spec, null);
    });

    it('too many layers', () => {
      const layers = ['{ "type": "Linear", "out": 10 }', ...Array.from({ length: 300 }, () => '{ "type": "ReLU" }')];
      const a = analyze(modelText({ layers }));
      assert.match(only(a, 'too-many-layers').message, /^The model has 301 layers, more than the limit of 256/);
      assert.equal(a.layers.length, 256, 'the layers past the limit are not analysed');
      assert.ok(analyze(modelText({ layers }), { limits: { maxLayers: 1000 } }).spec);
    });

    it('too much memory: activations of a huge batch count', () => {
      const text = modelText({ train: '{ "batchSize": 1000000 }' });
      const a = analyze(text);
      const d = only(a, 'too-much-memory');
      assert.equal(spanText(text, d), '1000000');
      assert.match(d.message, /^Training this model would allocate about 6\.\d GiB .*a batch of 1000000\), more than the limit of 1\.0 GiB/);
      assert.ok(a.estimatedBytes > 6 * 2 ** 30);
    });

    it('the estimate counts weights, gradients, optimizer state and activations', () => {
      const sgd = analyze(modelText());
      // 50,890 params × (weight + grad) + batch 10 × (784 + 64 + 64 + 10 + 10) activations × (value + grad), float32
      assert.equal(sgd.estimatedBytes, 4 * (50890 * 2 + 2 * 10 * (784 + 64 + 64 + 10 + 10)));
      const adam = analyze(modelText({ train: '{ "optimizer": { "type": "adam" } }' }));
      assert.equal(adam.estimatedBytes - sgd.estimatedBytes, 4 * 50890 * 2);
    });

    it('a text longer than the limit is not parsed at all', () => {
      const a = analyze(modelText() + ' '.repeat(2000), { limits: { maxTextLength: 1000 } });
      assert.deepEqual(codes(a), ['file-too-large']);
      assert.equal(a.spec, null);
      assert.deepEqual(a.layers, []);
    });

    it('nesting deeper than any model file needs is refused before the tree is built', () => {
      const deep = '{"input": ' + '['.repeat(100000) + ']'.repeat(100000) + '}';
      const a = analyze(deep);
      assert.deepEqual(codes(a), ['too-deep']);
      // the object is level 1, so the 64th bracket is level 65
      assert.equal(a.diagnostics[0].offset, 10 + 63);
    });

    it('nonsense limits fall back to the defaults', () => {
      const a = analyze(big, { limits: { maxParams: -1, maxLayers: Number.NaN } });
      assert.match(only(a, 'too-many-parameters').message, /limit of 10,000,000/);
    });
  });
});
