import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '../../../src/engine';
import { decodeSafetensors, parseSafetensorsHeader, headerLength } from '../../../src/data/safetensors';
import { buildModel } from '../../../src/model/build';
import type { LayerSpec, ModelSpec } from '../../../src/model/spec';
import { exportToPyTorch, isPythonIdentifier, moduleNameFor, writePyTorchExport } from '../../../src/bridge/export';
import { appendedSoftmaxName, layerSource, pyFloat, pythonModule } from '../../../src/bridge/python-module';
import { testSample } from '../../../src/bridge/sample';
import { MEDIA, fixtureSpec, tmpDir } from './helpers';

function spec(layers: LayerSpec[], over: Partial<ModelSpec> = {}): ModelSpec {
  return {
    name: 'm',
    input: { shape: [784], dataset: 'mnist' },
    layers,
    init: { seed: 0, scheme: 'pytorch' },
    train: { batchSize: 10, epochs: 1, shuffle: true, loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.1, momentum: 0 } },
    ...over,
  };
}

/** The rows of `build_model()`'s OrderedDict, as written. */
function rows(py: string): string[] {
  const body = /OrderedDict\(\[\n([\s\S]*?)\n {4}\]\)\)/.exec(py);
  assert.ok(body, py);
  return body[1].split('\n').map((l) => l.trim());
}

describe('bridge: export to PyTorch', () => {
  it('writes each layer as PyTorch constructs it', () => {
    assert.equal(layerSource({ type: 'Linear', in: 784, out: 64 }, 784), 'nn.Linear(784, 64)');
    assert.equal(layerSource({ type: 'Linear', out: 10, bias: false }, 64), 'nn.Linear(64, 10, bias=False)');
    assert.equal(layerSource({ type: 'Sigmoid' }, null), 'nn.Sigmoid()');
    assert.equal(layerSource({ type: 'ReLU' }, null), 'nn.ReLU()');
    assert.equal(layerSource({ type: 'Tanh' }, null), 'nn.Tanh()');
    assert.equal(layerSource({ type: 'Softmax', dim: -1 }, null), 'nn.Softmax(dim=-1)');
    assert.equal(layerSource({ type: 'LogSoftmax' }, null), 'nn.LogSoftmax(dim=1)');
    assert.equal(layerSource({ type: 'Flatten' }, null), 'nn.Flatten()');
    assert.equal(layerSource({ type: 'Flatten', startDim: 2 }, null), 'nn.Flatten(start_dim=2, end_dim=-1)');
    assert.equal(layerSource({ type: 'Dropout' }, null), 'nn.Dropout(p=0.5)');
    assert.equal(layerSource({ type: 'Dropout', p: 0 }, null), 'nn.Dropout(p=0.0)');
    assert.deepEqual([pyFloat(1), pyFloat(0.25), pyFloat(1e-7), pyFloat(2.5e-8)], ['1.0', '0.25', '1e-7', '2.5e-8']);
  });

  it('names the layers as the model file does, so state_dict keys match, with inferred in_features', () => {
    const py = pythonModule(fixtureSpec('mlp-softmax'), { weightsFile: 'w.safetensors' });
    assert.deepEqual(rows(py), ['("W1", nn.Linear(784, 64)),', '("1", nn.Sigmoid()),', '("W2", nn.Linear(64, 10)),', '("3", nn.Softmax(dim=1)),']);
    assert.match(py, /state_dict keys are\nthose of the exported weights: W1\.weight \[64, 784\], W1\.bias \[64\], W2\.weight \[10, 64\], W2\.bias \[10\]\./);
    assert.match(py, /call model\[:-1\]: the same layers and parameters without the final Softmax/);
    assert.match(py, /^WEIGHTS_FILE = "w\.safetensors"$/m);
    assert.match(py, /With torch\.manual_seed\(0\) just before it, build_model\(\) starts from the same weights/);
  });

  it('appends ("probs", nn.Softmax(dim=-1)) when the model file does not end in Softmax, under a free name', () => {
    const logits = spec([{ type: 'Linear', out: 10 }]);
    assert.equal(appendedSoftmaxName(logits), 'probs');
    const py = pythonModule(logits, { weightsFile: 'w.safetensors' });
    assert.deepEqual(rows(py), ['("0", nn.Linear(784, 10)),', '("probs", nn.Softmax(dim=-1)),  # added by the export: see the module docstring']);
    assert.match(py, /The model file ends with logits \(no Softmax\)/);
    const taken = spec([{ type: 'Linear', name: 'probs', out: 10 }, { type: 'LogSoftmax', name: 'probs_2' }], { train: { ...logits.train, loss: 'nll_loss' } });
    assert.equal(appendedSoftmaxName(taken), 'probs_3');
    assert.match(pythonModule(taken, { weightsFile: 'w.safetensors' }), /ends with LogSoftmax[\s\S]*For nn\.NLLLoss, call model\[:-1\]/);
    assert.equal(appendedSoftmaxName(spec([{ type: 'Linear', out: 10 }, { type: 'Softmax', dim: 1 }])), null);
    assert.match(pythonModule(fixtureSpec('relu-logits'), { weightsFile: 'w.safetensors' }), /With torch\.manual_seed\(7\) just before it/);
    assert.doesNotMatch(pythonModule(fixtureSpec('tanh-logsoftmax'), { weightsFile: 'w.safetensors' }), /build_model\(\) starts from the same weights/, 'scaled-normal is not PyTorch\'s init');
  });

  it('embeds the test image as hex rows that decode to its pixels, and its label', () => {
    const sample = testSample(MEDIA, 4, 'the embedded MNIST subset');
    const py = pythonModule(fixtureSpec('mlp-softmax'), { weightsFile: 'w.safetensors', sample });
    const block = /TEST_IMAGE = \[\n([\s\S]*?)\n\]/.exec(py);
    assert.ok(block);
    const hex = block[1].split('\n').map((l) => /^ {4}"([0-9a-f]{56})",$/.exec(l)?.[1]);
    assert.equal(hex.length, 28);
    assert.deepEqual([...Buffer.from(hex.join(''), 'hex')], [...sample.pixels]);
    assert.match(py, new RegExp(`^TEST_LABEL = ${sample.label}$`, 'm'));
    assert.match(py, /# test image 4 of the embedded MNIST subset: MNIST class "\d"/);
    assert.match(py, /reshape\(1, 784\) \/ 255/);
    // Without a sample (or one of the wrong size) __main__ uses a seeded random input.
    const none = pythonModule(fixtureSpec('mlp-softmax'), { weightsFile: 'w.safetensors', sample: { ...sample, pixels: sample.pixels.subarray(0, 100) } });
    assert.doesNotMatch(none, /TEST_IMAGE/);
    assert.match(none, /torch\.manual_seed\(0\)\n {4}x = torch\.rand\(1, 784\)/);
  });

  it('keeps names that would break Python out of the docstring and comments', () => {
    const evil = spec([{ type: 'Linear', out: 10 }], { name: 'a"""b\\N{x}\nc' });
    const py = pythonModule(evil, { weightsFile: 'w.safetensors', source: 'x\\y"z.nn.json', sample: { pixels: new Uint8Array(784), label: 3, description: 'line\nbreak' } });
    assert.equal(py.split('\n')[0], `"""a'''b/N{x} c: a PyTorch module exported by NN Lens from x/y'z.nn.json.`);
    assert.match(py, /^# line break: MNIST class "3"\./m);
    assert.equal(py.split('"""').length, 7, 'the three docstrings, nothing else');
  });

  it('names Fashion-MNIST classes in the printed prediction', () => {
    const py = pythonModule(spec([{ type: 'Linear', out: 10 }], { input: { shape: [784], dataset: 'fashion-mnist' } }), { weightsFile: 'w.safetensors' });
    assert.match(py, /^CLASSES = \["T-shirt\/top", "Trouser", .*"Ankle boot"\]$/m);
    assert.doesNotMatch(pythonModule(spec([{ type: 'Linear', out: 3 }]), { weightsFile: 'w.safetensors' }), /CLASSES/);
  });

  it('exports the weights as float32 safetensors in state_dict order, with the keys of the model file', () => {
    const s = fixtureSpec('relu-logits');
    const model = buildModel(s);
    const sd = model.stateDict();
    const f64 = new Map([...sd].map(([k, v]) => [k, v.to('float64')] as const)).set('out.bias', sd.get('out.bias') as torch.Tensor);
    const exp = exportToPyTorch(s, new Map([...f64].reverse()), { moduleName: 'relu' });
    assert.equal(exp.pythonFile, 'relu.py');
    assert.equal(exp.weightsFile, 'relu.safetensors');
    const bytes = Buffer.concat(exp.safetensors);
    const n = headerLength(bytes.subarray(0, 8), bytes.length, 'x');
    const h = parseSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n, 'x');
    assert.deepEqual(h.entries.map((e) => [e.name, e.fileDType]), [['hidden.weight', 'F32'], ['hidden.bias', 'F32'], ['out.weight', 'F32'], ['out.bias', 'F32']]);
    assert.deepEqual(h.metadata, { format: 'pt', exported_by: 'NN Lens', model: 'relu-logits' });
    const back = decodeSafetensors(bytes);
    for (const [k, v] of sd) assert.deepEqual(back.get(k)?.toArray(), v.toArray(), k);
  });

  it('refuses weights that do not fit, listing every key and shape', () => {
    const s = fixtureSpec('mlp-softmax');
    const sd = buildModel(s).stateDict();
    sd.delete('W2.bias');
    sd.set('W1.weight', torch.zeros([784, 64]));
    sd.set('extra', torch.zeros([3]));
    assert.throws(
      () => exportToPyTorch(s, sd, { moduleName: 'm' }),
      (e: Error) => {
        assert.equal(
          e.message,
          'the weights do not fit mlp-softmax:\nmissing 1 key the model needs:\n  W2.bias [10]\n1 unexpected key the model does not have:\n  extra [3]\n' +
            '1 shape mismatch:\n  W1.weight: the model needs [64, 784], the weights hold [784, 64] (transposed: PyTorch stores a Linear weight as [out_features, in_features])',
        );
        return true;
      },
    );
    assert.throws(() => exportToPyTorch(s, buildModel(s).stateDict(), { moduleName: '../evil' }), /bad module name/);
  });

  it('writes the module and weights side by side; a folder in the way leaves the old files and no temporary file', () => {
    const dir = tmpDir('nnlens-export-');
    try {
      const s = fixtureSpec('mlp-softmax');
      const exp = exportToPyTorch(s, buildModel(s).stateDict(), { moduleName: 'net' });
      const out = writePyTorchExport(dir, exp);
      assert.deepEqual(out, { python: path.join(dir, 'net.py'), weights: path.join(dir, 'net.safetensors') });
      assert.equal(fs.readFileSync(out.python, 'utf8'), exp.python);
      assert.ok(fs.readFileSync(out.weights).equals(Buffer.concat(exp.safetensors)));
      // Again, over a folder named like the module: refused before anything is written.
      fs.rmSync(out.python);
      fs.mkdirSync(out.python);
      const before = fs.readFileSync(out.weights);
      const other = exportToPyTorch(s, buildModel(s, new torch.Generator(9)).stateDict(), { moduleName: 'net' });
      assert.throws(() => writePyTorchExport(dir, other), /net\.py exists and is not a file: nothing was written/);
      assert.ok(fs.readFileSync(out.weights).equals(before));
      assert.deepEqual(fs.readdirSync(dir).sort(), ['net.py', 'net.safetensors']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('derives a module name Python can import from the model file name', () => {
    assert.equal(moduleNameFor('/a/mnist-mlp.nn.json'), 'mnist_mlp');
    assert.equal(moduleNameFor('3layers.nn.json'), '_3layers');
    assert.equal(moduleNameFor('ünï côde.nn.json'), '_n_c_de');
    assert.equal(moduleNameFor('---.nn.json'), 'model');
    assert.ok(isPythonIdentifier('mnist_mlp'));
    assert.ok(!isPythonIdentifier('mnist-mlp'));
    assert.ok(!isPythonIdentifier('1x'));
  });
});
