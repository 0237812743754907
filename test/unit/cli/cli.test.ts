import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli, COMMANDS } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import { progressLine } from '../../../src/cli/progress';
import { readNpyFile, writeNpyFile } from '../../../src/data/npy';
import { readSafetensorsFile } from '../../../src/data/safetensors';
import * as torch from '../../../src/engine';

const ROOT = path.resolve(__dirname, '../../..');
const FIX = path.join(ROOT, 'test/fixtures/data');

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(args: string[], opts: { tty?: boolean; cwd?: string } = {}): Promise<Run> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), isTTY: opts.tty ?? false, columns: 100, cwd: opts.cwd ?? FIX, home: path.join(ROOT, 'src/cli') };
  const code = await runCli(args, io);
  return { code, out, err };
}

describe('nnlens', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-cli-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists its commands, and each has --help (exit 0)', async () => {
    const top = await cli(['--help']);
    assert.equal(top.code, 0);
    for (const c of ['train', 'predict', 'inspect']) assert.match(top.out, new RegExp(`^  ${c} +\\S`, 'm'));
    for (const c of COMMANDS) {
      const r = await cli([c.name, '--help']);
      assert.equal(r.code, 0, c.name);
      assert.ok(r.out.startsWith(`Usage: nnlens ${c.name} `), r.out);
    }
    assert.match((await cli(['train', '--help'])).out, /--batch-size N +batch size/);
  });

  it('exits 2 on bad usage, saying what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [[], /Usage: nnlens <command>/],
      [['fly'], /unknown command "fly"/],
      [['train'], /nnlens train: expected one MODEL.nn.json, got none/],
      [['train', 'seed.nn.json', '--epochs', 'two'], /nnlens train: --epochs expects a non-negative integer, got "two"/],
      [['train', 'seed.nn.json', '--epochs', '0'], /--epochs must be at least 1/],
      [['train', 'seed.nn.json', '--lr'], /--lr needs a value \(X\)/],
      [['train', 'seed.nn.json', '--frobnicate'], /nnlens train: unknown option --frobnicate/],
      [['predict', 'seed.nn.json', '--input', 'torch-x.npy'], /--weights W.safetensors is required/],
      [['inspect', 'notes.txt'], /expected a .safetensors, .npy or .nn.json file/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.out + r.err, re, args.join(' '));
    }
  });

  it('exits 1 on failures, naming the file', async () => {
    const missing = await cli(['train', 'nope.nn.json']);
    assert.equal(missing.code, 1);
    assert.equal(missing.err, `nnlens train: error: ${path.join(FIX, 'nope.nn.json')}: model file not found\n`);
    const bad = path.join(dir, 'bad.nn.json');
    fs.writeFileSync(bad, '{ "input": { "shape": [784] }, "layers": [ { "type": "Linear", "out": 0 } ] }');
    assert.match((await cli(['train', bad])).err, /bad.nn.json.*"?out"?.*positive integer, got 0/);
    const noData = await cli(['train', 'seed.nn.json', '--data', dir]);
    assert.equal(noData.code, 1);
    assert.match(noData.err, /missing train-images-idx3-ubyte/);
    const wrongWeights = await cli(['train', 'seed.nn.json', '--weights', 'torch-half.safetensors']);
    assert.equal(wrongWeights.code, 1);
    assert.match(wrongWeights.err, /torch-half.safetensors: Error\(s\) in loading state_dict for Sequential:\n\tMissing key\(s\) in state_dict: "W1.weight"/);
  });

  it('train --json: start, progress, epoch and summary lines; --out writes the weights', async () => {
    const out = path.join(dir, 'w.safetensors');
    const r = await cli(['train', 'seed.nn.json', '--steps', '100', '--batch-size', '10', '--out', out, '--json']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines[0].type, 'start');
    assert.equal(lines[0].trainSize, 8000);
    const summary = lines[lines.length - 1];
    assert.equal(summary.type, 'summary');
    assert.equal(summary.steps, 100);
    assert.equal(summary.samples, 1000);
    assert.equal(summary.testCount, 2000);
    assert.ok((summary.testAccuracy as number) > 0.2, `test accuracy ${summary.testAccuracy} after 100 steps`);
    assert.equal(summary.out, out);
    // the same 100 steps PyTorch takes
    const mine = readSafetensorsFile(out);
    const torchW = readSafetensorsFile(path.join(FIX, 'torch-steps100.safetensors'));
    for (const [k, v] of torchW) assert.ok((mine.get(k) as torch.Tensor).sub(v).abs().max().item() < 1e-5, k);
  });

  it('train --threads 1 and --threads 2 give the same weights bit for bit; --threads 3 is a usage error', async () => {
    const outs: Buffer[] = [];
    for (const t of ['1', '2']) {
      const out = path.join(dir, `threads${t}.safetensors`);
      const r = await cli(['train', 'seed.nn.json', '--steps', '30', '--batch-size', '64', '--threads', t, '--out', out, '--json']);
      assert.equal(r.code, 0, r.err);
      assert.equal((JSON.parse(r.out.split('\n')[0]) as { threads: number }).threads, Number(t));
      outs.push(fs.readFileSync(out));
    }
    assert.ok(outs[0].equals(outs[1]), 'the two weight files are identical');
    const bad = await cli(['train', 'seed.nn.json', '--threads', '3']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--threads must be 1 or 2, got 3/);
  });

  it('train on a terminal draws a progress bar and prints epoch lines and a summary', async () => {
    const r = await cli(['train', 'seed.nn.json', '--epochs', '1', '--batch-size', '200', '--no-shuffle', '--lr', '0.5'], { tty: true });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /^training seed-mlp on the embedded MNIST subset: 8,000 train \/ 2,000 test images, 1 epoch of 40 steps \(batch 200\), [12] threads?\n/);
    assert.ok(r.err.includes('\x1b[K'), 'the bar line is cleared as it is redrawn');
    const plain = r.err.split('\x1b[K').join('');
    assert.match(plain, /\repoch 1\/1 \[#*\.*\] \d+\/40 loss \d\.\d{4} acc \d+\.\d% [\d,]+ samples\/s/);
    assert.match(plain, /\repoch 1\/1: train loss \d\.\d{4}, train accuracy \d+\.\d\d%, test loss \d\.\d{4}, test accuracy \d+\.\d\d%\n/);
    assert.match(r.out, /^trained 40 steps \(1 epoch\) in \d+\.\d s, [\d,]+ samples\/s \(test evaluation \d+\.\d s\)\ntrain loss \d\.\d{4}\ntest accuracy \d+\.\d\d% \(\d+\/2000\), test loss \d\.\d{4}\n$/);
  });

  it('predict prints softmax outputs PyTorch-style, or writes them with --out', async () => {
    const r = await cli(['predict', 'seed.nn.json', '--weights', 'torch-seed.safetensors', '--input', 'torch-x.npy']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, fs.readFileSync(path.join(FIX, 'torch-y.txt'), 'utf8'));
    const y = path.join(dir, 'y.npy');
    const w = await cli(['predict', 'seed.nn.json', '--weights', 'torch-seed.safetensors', '--input', 'torch-x.npy', '--out', y]);
    assert.equal(w.code, 0, w.err);
    const got = readNpyFile(y);
    const want = readNpyFile(path.join(FIX, 'torch-y.npy'));
    assert.deepEqual(got.shape.slice(), [5, 10]);
    assert.ok(got.sub(want).abs().max().item() < 1e-5);
    const bad = path.join(dir, 'bad.npy');
    writeNpyFile(bad, torch.zeros([2, 100]));
    const e = await cli(['predict', 'seed.nn.json', '--weights', 'torch-seed.safetensors', '--input', bad]);
    assert.equal(e.code, 1);
    assert.match(e.err, /bad.npy: input of shape \[2, 100\] does not fit a model taking 784 values per sample/);
  });

  it('inspect shows tensors with stats and PyTorch prints, and a model\'s layer table', async () => {
    const st = await cli(['inspect', 'torch-seed.safetensors']);
    assert.equal(st.code, 0, st.err);
    assert.match(st.out, /: 4 tensors\n/);
    assert.match(st.out, /^W2\.bias: float32 torch\.Size\(\[10\]\) {2}10 values\n {2}min -?0\.\d+ {2}max -?0\.\d+ {2}mean -?0\.\d+ {2}std 0\.\d+\ntensor\(\[/m);
    const npy = await cli(['inspect', 'npy-u1.npy']);
    assert.equal(npy.out, 'npy-u1.npy: uint8 torch.Size([3])  3 values\n  min 0  max 255  mean 87.3333  std 145.246\ntensor([  0,   7, 255], dtype=torch.uint8)\n\n');
    const model = await cli(['inspect', 'seed.nn.json']);
    assert.equal(model.code, 0, model.err);
    assert.ok(
      model.out.startsWith(
        'seed-mlp (mnist, input [784])\n' +
          '#  name   type     output shape  params\n' +
          '   input           [B, 784]\n' +
          '0  W1     Linear   [B, 64]       50,240\n' +
          '1  1      Sigmoid  [B, 64]\n' +
          '2  W2     Linear   [B, 10]          650\n' +
          '3  3      Softmax  [B, 10]\n' +
          'total parameters: 50,890\n\n' +
          'Sequential(\n  (W1): Linear(in_features=784, out_features=64, bias=True)\n',
      ),
      model.out,
    );
    const json = await cli(['inspect', 'torch-seed.safetensors', '--json']);
    assert.deepEqual(JSON.parse(json.out.split('\n')[0]).shape, [64, 784]);
    const corrupt = path.join(dir, 'c.safetensors');
    fs.writeFileSync(corrupt, Buffer.from([1, 2, 3]));
    assert.equal((await cli(['inspect', corrupt])).err, `nnlens inspect: error: ${corrupt}: too short to be a safetensors file (3 bytes)\n`);
  });
});

describe('the progress bar', () => {
  it('fills in proportion to the epoch and fits the terminal', () => {
    const line = progressLine({ epoch: 2, epochs: 5, stepInEpoch: 400, stepsPerEpoch: 800, loss: 0.41234, accuracy: 0.8721, samplesPerSec: 10532.4 }, 100);
    assert.equal(line, `epoch 2/5 [${'#'.repeat(20)}${'.'.repeat(20)}] 400/800 loss 0.4123 acc 87.2% 10,532 samples/s`);
    assert.ok(progressLine({ epoch: 1, epochs: 1, stepInEpoch: 1, stepsPerEpoch: 3, loss: 1, accuracy: 1, samplesPerSec: 1 }, 60).length <= 60);
  });
});
