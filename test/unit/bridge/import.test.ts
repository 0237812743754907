import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { parse } from 'jsonc-parser';
import { analyzeModel } from '../../../src/model/analyze';
import { loadModelSpec } from '../../../src/model/load';
import type { LayerSpec, ModelSpec } from '../../../src/model/spec';
import { importFromPython, type ImportResult } from '../../../src/bridge/import';
import { matchStateDict, stripKeyPrefix } from '../../../src/bridge/statedict';
import { Validator } from '../model/schema-validator';
import { ROOT } from './helpers';

const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/nn.schema.json'), 'utf8')) as { [k: string]: unknown };

/** Imports, and checks what every model file written must be: schema-valid and accepted by the model reader. */
function imp(src: string, opts = {}): ImportResult & { spec: ModelSpec | null } {
  const r = importFromPython(src, opts);
  if (r.modelJson === null) return { ...r, spec: null };
  const errors = new Validator(schema).validate(parse(r.modelJson), schema);
  assert.deepEqual(errors, [], r.modelJson);
  const a = analyzeModel(r.modelJson);
  return { ...r, spec: a.spec };
}

const problems = (r: ImportResult): string[] => r.problems.map((p) => `${p.line}: ${p.severity}: ${p.message}`);
const layers = (r: { layers?: LayerSpec[] }): LayerSpec[] => r.layers ?? [];

describe('bridge: import from PyTorch', () => {
  it('translates a positional nn.Sequential with keyword arguments and comments', () => {
    const r = imp(`import torch.nn as nn
model = nn.Sequential(
    nn.Linear(in_features=784, out_features=64),  # hidden
    nn.Sigmoid(),
    nn.Linear(64, 10, bias=False),
    nn.Softmax(dim=1),
)
`);
    assert.deepEqual(problems(r), []);
    assert.deepEqual(layers(r), [
      { type: 'Linear', in: 784, out: 64 },
      { type: 'Sigmoid' },
      { type: 'Linear', in: 64, out: 10, bias: false },
      { type: 'Softmax', dim: 1 },
    ]);
    assert.ok(r.spec);
    assert.equal(r.spec.name, 'model');
    assert.deepEqual(r.spec.input, { shape: [784], dataset: 'mnist' });
    assert.deepEqual(r.source, { kind: 'sequential', name: 'model', line: 2 });
    assert.match(r.modelJson ?? '', /^\/\/ Imported by NN Lens from Python \(model, line 2\)\.\n\{\n {2}"name": "model",/);
    assert.match(r.modelJson ?? '', /\n {4}\{ "type": "Linear", "in": 64, "out": 10, "bias": false \},\n/);
  });

  it('keeps the names of an OrderedDict, so state_dict keys match', () => {
    const r = imp(`from collections import OrderedDict
from torch import nn
net = nn.Sequential(OrderedDict([
    ('W1', nn.Linear(784, 32)), ("act", nn.ReLU()),
    ('drop', nn.Dropout(p=0.25)),
    ('W2', nn.Linear(32, 10)),
    ('out', nn.LogSoftmax(dim=1)),
]))
`);
    assert.deepEqual(problems(r), []);
    assert.deepEqual(layers(r), [
      { name: 'W1', type: 'Linear', in: 784, out: 32 },
      { name: 'act', type: 'ReLU' },
      { name: 'drop', type: 'Dropout', p: 0.25 },
      { name: 'W2', type: 'Linear', in: 32, out: 10 },
      { name: 'out', type: 'LogSoftmax', dim: 1 },
    ]);
    assert.equal(r.spec?.train.loss, 'nll_loss', 'a LogSoftmax output trains with nll_loss');
  });

  it('reads the notebook style class: layers from __init__, order from forward, and the training settings', () => {
    const src = `import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import datasets

torch.manual_seed(42)
HIDDEN = 64

class Net(nn.Module):
    def __init__(self, hidden=HIDDEN):
        super(Net, self).__init__()
        self.W1 = nn.Linear(28 * 28, hidden)
        self.W2 = nn.Linear(hidden, 10)

    def forward(self, x):
        x = x.view(-1, 784)
        h = torch.sigmoid(self.W1(x))
        return F.softmax(self.W2(h), dim=1)

model = Net()
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
train = DataLoader(datasets.FashionMNIST('.', download=True), batch_size=32, shuffle=True)
test = DataLoader(datasets.FashionMNIST('.', train=False), batch_size=1000)
for epoch in range(1, 4):
    pass
`;
    const r = imp(src, { fileName: 'net.py' });
    assert.deepEqual(layers(r), [{ type: 'Flatten' }, { name: 'W1', type: 'Linear', in: 784, out: 64 }, { type: 'Sigmoid' }, { name: 'W2', type: 'Linear', in: 64, out: 10 }, { type: 'Softmax', dim: 1 }]);
    assert.ok(r.spec);
    assert.deepEqual(r.spec.input, { shape: [1, 28, 28], dataset: 'fashion-mnist' });
    assert.deepEqual(r.spec.init, { seed: 42, scheme: 'pytorch' });
    assert.deepEqual(r.spec.train, { batchSize: 32, epochs: 3, shuffle: true, loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9 } });
    assert.deepEqual(problems(r), [
      '22: warning: nn.CrossEntropyLoss applied to the output of a final Softmax computes softmax twice; NN Lens computes cross_entropy on the logits before the final Softmax, which is what nn.CrossEntropyLoss expects, so training here can differ from this script',
    ]);
    assert.match(r.modelJson ?? '', /^\/\/ Imported by NN Lens from net\.py \(class Net, line 10\)\./);
    assert.match(importFromPython(src, { fileName: 'a\nb.py' }).modelJson ?? '', /^\/\/ Imported by NN Lens from a b\.py \(class Net, line 10\)\.\n\{/);
  });

  it('translates functional forms and tensor methods, and names activation modules used once', () => {
    const r = imp(`class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 100)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(100, 50)
        self.relu = nn.ReLU()
        self.out = nn.Linear(50, 10)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        """Docstring."""
        x = torch.flatten(x, 1)
        x = self.act(self.fc1(x))
        x = self.drop(x)
        x = self.relu(self.fc2(x)).float()
        x = F.dropout(x, p=0.2, training=self.training)
        x = self.relu(x)
        return self.out(x).log_softmax(dim=-1)
`);
    assert.deepEqual(problems(r), []);
    assert.deepEqual(layers(r), [
      { type: 'Flatten' },
      { name: 'fc1', type: 'Linear', in: 784, out: 100 },
      { name: 'act', type: 'Tanh' },
      { name: 'drop', type: 'Dropout', p: 0.1 },
      { name: 'fc2', type: 'Linear', in: 100, out: 50 },
      { type: 'ReLU' },
      { type: 'Dropout', p: 0.2 },
      { type: 'ReLU' },
      { name: 'out', type: 'Linear', in: 50, out: 10 },
      { type: 'LogSoftmax', dim: -1 },
    ]);
  });

  it('reports every construct it cannot translate, with its line, and still writes the rest', () => {
    const r = imp(`class Net(nn.Module):
    def __init__(self, n_in, p=0.3):
        super().__init__()
        self.fc1 = nn.Linear(n_in, 64)
        self.bn = nn.BatchNorm1d(64)
        self.fc2 = nn.Linear(64, 64)
        self.head = nn.Linear(64, 10)
        self.unused = nn.Linear(3, 3)

    def forward(self, x):
        x = self.bn(self.fc1(x))
        y = F.relu(self.fc2(x))
        x = x + y
        if self.training:
            x = F.dropout(x, 0.5)
        return F.softmax(self.head(x))
`);
    assert.deepEqual(problems(r), [
      '4: warning: nn.Linear: in_features=n_in is not a number this text gives: left out of the model file, which infers it from the layer before',
      '8: warning: self.unused is never used in forward and is left out (a state dict saved from this class holds its weights too)',
      '11: error: nn.BatchNorm1d is not supported: a model file has Linear, Sigmoid, ReLU, Tanh, Softmax, LogSoftmax, Flatten, Dropout',
      '13: error: x + y cannot be translated: only a chain of layers (no arithmetic, no skip connections)',
      '14: error: an "if" block in forward cannot be translated: a model file is a chain of layers',
      '16: warning: F.softmax without dim: PyTorch picks dim=1 for 2-D input (with a deprecation warning); the model file says "dim": 1',
    ]);
    assert.ok(r.modelJson);
  });

  it('keeps PyTorch\'s index names when an unsupported layer of a Sequential is left out', () => {
    const r = imp(`model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Identity(), nn.Linear(128, 10))\n`);
    assert.deepEqual(layers(r), [{ type: 'Flatten' }, { type: 'Linear', in: 784, out: 128 }, { name: '3', type: 'ReLU' }, { name: '5', type: 'Linear', in: 128, out: 10 }]);
    assert.deepEqual(problems(r), [
      '1: error: nn.BatchNorm1d is not supported: a model file has Linear, Sigmoid, ReLU, Tanh, Softmax, LogSoftmax, Flatten, Dropout',
      '1: warning: nn.Identity() does nothing and is left out',
    ]);
  });

  it('follows names: nn.Sequential(*layers), constants, import aliases', () => {
    const r = imp(`import torch.nn as tnn
from torch.nn import Linear, ReLU as R
IN, OUT = 784, 10
H = 2 ** 5
layers = [Linear(IN - 0, H), R(), Linear(H, 10)]
model = tnn.Sequential(*layers).to("cpu")
`);
    assert.deepEqual(layers(r), [{ type: 'Linear', in: 784, out: 32 }, { type: 'ReLU' }, { type: 'Linear', in: 32, out: 10 }]);
    assert.deepEqual(problems(r), []);
    assert.deepEqual(r.spec?.input.shape, [784]);
  });

  it('a Sequential attribute keeps its inner names, so a state dict of the class matches once its prefix goes', () => {
    const r = imp(`class Wrapped(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(784, 20), nn.ReLU(), nn.Linear(20, 10))

    def forward(self, x):
        return self.net(x.flatten(1))
`);
    assert.deepEqual(layers(r), [
      { name: 'flatten', type: 'Flatten' },
      { name: '0', type: 'Linear', in: 784, out: 20 },
      { name: '1', type: 'ReLU' },
      { name: '2', type: 'Linear', in: 20, out: 10 },
    ]);
    assert.deepEqual(problems(r), [
      '7: warning: PyTorch saves the parameters of self.net as "net.0.weight", "net.2.weight", ...; the model file keeps the names inside the Sequential, so its keys are the same without the "net." prefix',
    ]);
    assert.ok(r.spec);
    // What `Wrapped().state_dict()` holds in PyTorch:
    const torchKeys = new Map(Object.entries({ 'net.0.weight': [20, 784], 'net.0.bias': [20], 'net.2.weight': [10, 20], 'net.2.bias': [10] }).map(([k, shape]) => [k, { shape }]));
    const m = matchStateDict(r.spec, torchKeys);
    assert.equal(m.stripPrefix, 'net.');
    assert.ok(matchStateDict(r.spec, stripKeyPrefix(torchKeys, 'net.')).ok);
  });

  it('a repeated OrderedDict key keeps the later layer in the earlier place; a Linear name taken twice is renamed', () => {
    const r = imp(`m = nn.Sequential(OrderedDict([('1', nn.ReLU()), ('fc', nn.Linear(784, 10)), ('fc', nn.Linear(784, 10, bias=False))]))\n`);
    assert.deepEqual(layers(r), [{ name: '1', type: 'ReLU' }, { name: 'fc', type: 'Linear', in: 784, out: 10, bias: false }]);
    assert.deepEqual(problems(r), ['1: warning: the name "fc" appears twice: Python\'s OrderedDict keeps the later layer in the earlier place']);
    const c = imp(`class N(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 10)
        self.seq = nn.Sequential(OrderedDict([('fc', nn.Linear(10, 10))]))
    def forward(self, x):
        return self.seq(self.fc(x))
`);
    assert.deepEqual(layers(c), [{ name: 'fc', type: 'Linear', in: 784, out: 10 }, { name: 'fc_2', type: 'Linear', in: 10, out: 10 }]);
    assert.match(problems(c).join('\n'), /5: warning: the name "fc" is taken by another layer: this one is "fc_2"/);
  });

  it('imports a selection: the selected Sequential, with line numbers of the document', () => {
    const r = imp('    nn.Sequential(nn.Linear(784, 10),\n        nn.Softmax(dim=1))', { lineOffset: 41, name: 'picked' });
    assert.deepEqual(layers(r), [{ type: 'Linear', in: 784, out: 10 }, { type: 'Softmax', dim: 1 }]);
    assert.equal(r.spec?.name, 'picked');
    assert.match(r.modelJson ?? '', /\(model, line 42\)/);
    const bad = imp('  nn.Sequential(nn.Conv2d(1, 8, 3), nn.Linear(784, 10))', { lineOffset: 9 });
    assert.deepEqual(problems(bad), ['10: error: nn.Conv2d is not supported: a model file has Linear, Sigmoid, ReLU, Tanh, Softmax, LogSoftmax, Flatten, Dropout']);
  });

  it('takes the first model and names the others', () => {
    const r = imp(`a = nn.Sequential(nn.Linear(784, 10))\nclass B(nn.Module):\n    pass\n`);
    assert.equal(r.source?.name, 'a');
    assert.deepEqual(problems(r), ['1: warning: imported a; also found class B (line 2): select one to import it instead']);
  });

  it('reports the model file\'s own checks (shapes that do not chain) at the Python line of the layer', () => {
    const r = imp(`m = nn.Sequential(\n    nn.Linear(784, 64),\n    nn.ReLU(),\n    nn.Linear(32, 10),\n)\n`);
    assert.ok(r.modelJson);
    assert.equal(r.spec, null);
    const p = r.problems.find((x) => x.message.startsWith('in the model file:'));
    assert.ok(p, problems(r).join('\n'));
    assert.equal(p.line, 4);
    assert.match(p.message, /64/);
  });

  it('says so when there is nothing to import, or nothing translatable', () => {
    assert.deepEqual(problems(imp('print("hello")\n')), ['1: error: found no nn.Sequential(...) and no class deriving from nn.Module: nothing to import']);
    assert.deepEqual(problems(imp('')), ['1: error: found no nn.Sequential(...) and no class deriving from nn.Module: nothing to import']);
    const conv = imp('model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU())\n');
    assert.equal(conv.modelJson, null);
    assert.deepEqual(problems(conv), [
      '1: error: nn.Conv2d is not supported: a model file has Linear, Sigmoid, ReLU, Tanh, Softmax, LogSoftmax, Flatten, Dropout',
      '1: error: model has no Linear layer that could be translated: no model file written',
    ]);
    const noForward = imp('class N(nn.Module):\n    def __init__(self):\n        self.l = nn.Linear(2, 2)\n');
    assert.equal(noForward.modelJson, null);
    assert.match(problems(noForward).join('\n'), /1: error: class N has no forward method/);
  });

  it('never throws on hostile text: binary, unterminated, deeply nested, huge', () => {
    const cases = [
      '\u0000\u0001\u0002\uffff\ud800',
      'x = "unterminated\nmodel = nn.Sequential(nn.Linear(4, 2)\n',
      `m = nn.Sequential(${'['.repeat(10000)}`,
      `m = nn.Sequential(${'('.repeat(5000)}nn.Linear(784, 10)${')'.repeat(5000)})`,
      `${'    '.repeat(2000)}x = 1\n`.repeat(50),
      'class A(nn.Module):\n' + '  if x:\n'.repeat(3000),
      'nn.Sequential(' + 'nn.ReLU(), '.repeat(20000) + 'nn.Linear(784, 10))',
      'def forward(self, x):\n    return self.' + 'a.'.repeat(50000) + 'b(x)\n',
      '"""' + 'a'.repeat(999_000),
      'x' + ' + x'.repeat(20000),
    ];
    for (const src of cases) {
      const r = importFromPython(src);
      assert.ok(Array.isArray(r.problems));
      for (const p of r.problems) assert.ok(Number.isInteger(p.line) && p.line >= 1 && typeof p.message === 'string', JSON.stringify(p));
    }
    assert.match(importFromPython('x'.repeat(1_000_001)).problems[0].message, /more than the 1000000 a model definition can need/);
  });

  it('never throws on random Python-like text, and what it writes always loads or is reported', () => {
    const atoms = ['nn.Sequential(', 'nn.Linear(784, 10)', 'nn.ReLU()', 'OrderedDict([', "('a', ", ')', ']', '(', ',', '\n', '    ', 'class N(nn.Module):', 'def forward(self, x):', 'return ', 'x', '=', '"', "'''", '#', '\\\n', 'self.fc(', 'F.relu(', ':', 'dim=', '1', '-1', '*', '**kw', 'lambda y: y', '{', '}', '\t'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...atoms), { maxLength: 60 }), fc.string({ maxLength: 20 }), (parts, noise) => {
        const src = parts.join('') + noise;
        const r = importFromPython(src);
        assert.ok(Array.isArray(r.problems));
        if (r.modelJson !== null && !r.problems.some((p) => p.severity === 'error')) loadModelSpec(r.modelJson);
      }),
      { numRuns: 400, seed: 11 },
    );
  });
});
