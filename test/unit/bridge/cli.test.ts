import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import { readSafetensorsFile, writeSafetensorsFile } from '../../../src/data/safetensors';
import { buildModel } from '../../../src/model/build';
import { loadModelSpec } from '../../../src/model/load';
import { FIX, ROOT, fixtureSpec, tmpDir } from './helpers';

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), isTTY: false, columns: 100, cwd, home: path.join(ROOT, 'src/cli') };
  const code = await runCli(args, io);
  return { code, out, err };
}

describe('nnlens export / import', () => {
  let dir: string;
  const models = path.join(FIX, 'models');
  before(() => {
    dir = tmpDir('nnlens-bridge-cli-');
    const s = fixtureSpec('mlp-softmax');
    writeSafetensorsFile(path.join(dir, 'w.safetensors'), buildModel(s).stateDict());
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('export writes NAME.py and NAME.safetensors side by side and prints their paths', async () => {
    const r = await cli(['export', path.join(models, 'mlp-softmax.nn.json'), '--weights', 'w.safetensors', '--out', 'mnist_net.py'], dir);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `${path.join(dir, 'mnist_net.py')}\n${path.join(dir, 'mnist_net.safetensors')}\n`);
    assert.equal(r.err, 'try it: python mnist_net.py\n');
    const py = fs.readFileSync(path.join(dir, 'mnist_net.py'), 'utf8');
    assert.match(py, /^WEIGHTS_FILE = "mnist_net\.safetensors"$/m);
    assert.match(py, /# test image 0 of the embedded MNIST subset: MNIST class "\d"/);
    assert.deepEqual([...readSafetensorsFile(path.join(dir, 'mnist_net.safetensors')).keys()], ['W1.weight', 'W1.bias', 'W2.weight', 'W2.bias']);
  });

  it('export defaults --out to the model file\'s name beside it, and notes a name Python cannot import', async () => {
    fs.copyFileSync(path.join(models, 'mlp-softmax.nn.json'), path.join(dir, 'my-net.nn.json'));
    const r = await cli(['export', 'my-net.nn.json', '--weights', 'w.safetensors', '--sample', '3'], dir);
    assert.equal(r.code, 0, r.err);
    assert.ok(fs.existsSync(path.join(dir, 'my_net.py')) && fs.existsSync(path.join(dir, 'my_net.safetensors')));
    assert.match(fs.readFileSync(path.join(dir, 'my_net.py'), 'utf8'), /# test image 3 of the embedded MNIST subset/);
    const dash = await cli(['export', 'my-net.nn.json', '--weights', 'w.safetensors', '--out', 'my-net.py'], dir);
    assert.equal(dash.code, 0);
    assert.match(dash.err, /note: "my-net" is not a Python identifier, so `import my-net` will not work \(`python my-net\.py` does\)/);
  });

  it('export fails clearly: usage (exit 2), mismatched or missing weights (exit 1), nothing written', async () => {
    const usage: [string[], RegExp][] = [
      [['export'], /expected one MODEL\.nn\.json, got none/],
      [['export', 'm.nn.json'], /--weights W\.safetensors is required/],
      [['export', 'm.nn.json', '--weights', 'w.safetensors', '--out', 'x.txt'], /--out must name a \.py file, got x\.txt/],
    ];
    for (const [args, re] of usage) {
      const r = await cli(args, dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, re);
    }
    const before = fs.readdirSync(dir).sort();
    const mismatch = await cli(['export', path.join(models, 'relu-logits.nn.json'), '--weights', 'w.safetensors', '--out', 'relu.py'], dir);
    assert.equal(mismatch.code, 1);
    assert.equal(
      mismatch.err,
      `nnlens export: error: ${path.join(dir, 'w.safetensors')}: the weights do not fit relu-logits:\nmissing 4 keys the model needs:\n  hidden.weight [32, 784]\n  hidden.bias [32]\n  out.weight [10, 32]\n  out.bias [10]\n` +
        '4 unexpected keys the model does not have:\n  W1.weight [64, 784]\n  W1.bias [64]\n  W2.weight [10, 64]\n  W2.bias [10]\n',
    );
    const missing = await cli(['export', path.join(models, 'mlp-softmax.nn.json'), '--weights', 'gone.safetensors'], dir);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /gone\.safetensors: weights file not found/);
    const noDir = await cli(['export', path.join(models, 'mlp-softmax.nn.json'), '--weights', 'w.safetensors', '--out', 'nowhere/x.py'], dir);
    assert.equal(noDir.code, 1);
    assert.match(noDir.err, /nowhere: folder not found/);
    assert.deepEqual(fs.readdirSync(dir).sort(), before);
  });

  it('import prints the model file, or writes it with --out (never over an existing file without --force)', async () => {
    const net = path.join(FIX, 'import', 'net.py');
    const printed = await cli(['import', net], dir);
    assert.equal(printed.code, 0, printed.err);
    assert.equal(printed.err, '');
    assert.equal(loadModelSpec(printed.out).layers.length, 5);
    const w = await cli(['import', net, '--out', 'net.nn.json', '--name', 'notebook'], dir);
    assert.equal(w.code, 0);
    assert.equal(w.err, `wrote ${path.join(dir, 'net.nn.json')} (class Net, 5 layers)\n`);
    assert.equal(loadModelSpec(fs.readFileSync(path.join(dir, 'net.nn.json'), 'utf8')).name, 'notebook');
    const again = await cli(['import', net, '--out', 'net.nn.json'], dir);
    assert.equal(again.code, 1);
    assert.match(again.err, /net\.nn\.json exists: pass --force to replace it/);
    assert.equal((await cli(['import', net, '--out', 'net.nn.json', '--force'], dir)).code, 0);
  });

  it('import lists what it could not translate as FILE:LINE and exits 1', async () => {
    fs.writeFileSync(path.join(dir, 'conv.py'), 'import torch.nn as nn\n\nm = nn.Sequential(\n    nn.Conv2d(1, 8, 3),\n    nn.Linear(784, 10),\n)\n');
    const r = await cli(['import', 'conv.py', '--out', 'conv.nn.json'], dir);
    assert.equal(r.code, 1);
    assert.equal(
      r.err,
      'conv.py:4: error: nn.Conv2d is not supported: a model file has Linear, Sigmoid, ReLU, Tanh, Softmax, LogSoftmax, Flatten, Dropout\n' +
        `wrote ${path.join(dir, 'conv.nn.json')} (m, 1 layer)\n1 construct could not be translated: see above\n`,
    );
    fs.writeFileSync(path.join(dir, 'empty.py'), '# nothing\n');
    const none = await cli(['import', 'empty.py', '--out', 'empty.nn.json'], dir);
    assert.equal(none.code, 1);
    assert.equal(none.err, 'empty.py:1: error: found no nn.Sequential(...) and no class deriving from nn.Module: nothing to import\n');
    assert.ok(!fs.existsSync(path.join(dir, 'empty.nn.json')));
    assert.match((await cli(['import', 'missing.py'], dir)).err, /missing\.py: file not found/);
    assert.equal((await cli(['import'], dir)).code, 2);
  });
});
