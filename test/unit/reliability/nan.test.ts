/**
 * A diverging run (learning rate 100) stops with a message saying where, on every path: the Trainer, `nnlens
 * train` (text and --json) and the training worker. The step is PyTorch's: scripts/pytorch_nan_steps.py trains
 * the same networks in file order and sees the first infinite loss at step 5 (ReLU) and step 12 (Sigmoid).
 *
 * The seed network itself (Sigmoid, cross-entropy) does not diverge at lr 100, in PyTorch or here: its loss
 * grows to ~250 and stays finite (the sigmoid saturates and the softmax gradients are bounded). A model whose
 * gradient grows with its error does: a Linear output trained with mse_loss.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { runCli } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import { loadEmbedded } from '../../../src/data/dataset';
import { loadModelSpec } from '../../../src/model/load';
import type { WorkerToHost } from '../../../src/protocol';
import { TrainingClient } from '../../../src/train/client';
import { Trainer, TrainingError } from '../../../src/train/trainer';

const ROOT = path.resolve(__dirname, '../../..');
const MEDIA = path.join(ROOT, 'media/mnist');

/** 784-64-10 with `act`, mse_loss, SGD lr 100, samples in file order. */
function divergingModel(act: 'ReLU' | 'Sigmoid'): string {
  return JSON.stringify({
    name: `${act.toLowerCase()}-mse`,
    input: { shape: [784], dataset: 'mnist' },
    layers: [{ name: 'W1', type: 'Linear', in: 784, out: 64 }, { type: act }, { name: 'W2', type: 'Linear', out: 10 }],
    init: { seed: 0 },
    train: { batchSize: 10, epochs: 1, shuffle: false, loss: 'mse_loss', optimizer: { type: 'sgd', lr: 100 } },
  });
}

/** What PyTorch says (scripts/pytorch_nan_steps.py). */
const PYTORCH_STEP = { ReLU: 5, Sigmoid: 12 } as const;

describe('a diverging run stops and says where', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-nan-'));
    for (const act of ['ReLU', 'Sigmoid'] as const) fs.writeFileSync(path.join(dir, `${act}.nn.json`), divergingModel(act));
    fs.copyFileSync(path.join(ROOT, 'test/fixtures/data/seed.nn.json'), path.join(dir, 'seed.nn.json'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), isTTY: false, columns: 100, cwd: dir, home: path.join(ROOT, 'src/cli') };
    const code = await runCli(args, io);
    return { code, out, err };
  }

  it('the Trainer: at the same epoch and step as PyTorch', () => {
    const data = loadEmbedded(MEDIA);
    for (const act of ['ReLU', 'Sigmoid'] as const) {
      const spec = loadModelSpec(divergingModel(act), `${act}.nn.json`);
      const tr = new Trainer(spec, data, { epochs: 1, batchSize: 10, seed: 0, shuffle: false });
      assert.throws(
        () => tr.runAll(),
        (e: unknown) => e instanceof TrainingError && e.message === `loss became Inf at epoch 1, step ${PYTORCH_STEP[act]}: try a smaller learning rate` && e.epoch === 1 && e.step === PYTORCH_STEP[act],
      );
      assert.equal(tr.step, PYTORCH_STEP[act] - 1, 'no optimiser step on the bad loss');
      assert.ok(tr.finished);
    }
  });

  it('nnlens train --lr 100: exit 1, the message on stderr, and no weights file written', async () => {
    const out = path.join(dir, 'out.safetensors');
    const r = await cli(['train', 'ReLU.nn.json', '--lr', '100', '--out', out]);
    assert.equal(r.code, 1);
    assert.equal(r.err.split('\n').filter((l) => l.startsWith('nnlens train: error:')).join('\n'), 'nnlens train: error: loss became Inf at epoch 1, step 5: try a smaller learning rate');
    assert.equal(r.out, '');
    assert.ok(!fs.existsSync(out));
  });

  it('nnlens train --json: the last line is an error object with the epoch and step', async () => {
    const r = await cli(['train', 'Sigmoid.nn.json', '--json']);
    assert.equal(r.code, 1);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines[0].type, 'start');
    assert.deepEqual(lines[lines.length - 1], { type: 'error', message: 'loss became Inf at epoch 1, step 12: try a smaller learning rate', epoch: 1, step: 12 });
    assert.ok(!lines.some((l) => l.type === 'summary'));
    assert.match(r.err, /^nnlens train: error: loss became Inf at epoch 1, step 12/m);
  });

  it('the seed network at lr 100 does not diverge (as in PyTorch): it trains to the end', async () => {
    const r = await cli(['train', 'seed.nn.json', '--lr', '100', '--epochs', '1', '--steps', '300', '--json']);
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out.trim().split('\n').pop() ?? '{}') as { type: string; trainLoss: number; steps: number };
    assert.equal(summary.type, 'summary');
    assert.equal(summary.steps, 300);
    assert.ok(Number.isFinite(summary.trainLoss) && summary.trainLoss > 10, `a large, finite loss: ${summary.trainLoss}`);
  });

  describe('the training worker', () => {
    let script: string;
    let client: TrainingClient;
    before(async () => {
      script = path.join(dir, 'worker.js');
      await esbuild.build({ entryPoints: [path.join(ROOT, 'src/train/worker.ts')], outfile: script, bundle: true, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'], logLevel: 'silent' });
      client = new TrainingClient({ workerScript: script });
    });
    after(() => client.dispose());

    it('posts an error with the epoch, the step and the last good weights; the next run works', async () => {
      const log: WorkerToHost[] = [];
      client.onMessage((m) => log.push(m));
      const spec = loadModelSpec(divergingModel('ReLU'), 'ReLU.nn.json');
      const runId = client.start({ spec, data: { kind: 'embedded', mediaDir: MEDIA }, options: { epochs: 1, batchSize: 10, seed: 0, shuffle: false, progressEveryMs: 0, snapshotEveryMs: 1e9 } });
      const err = await client.waitFor('error', runId);
      assert.equal(err.message, 'loss became Inf at epoch 1, step 5: try a smaller learning rate');
      assert.equal(err.epoch, 1);
      assert.equal(err.step, 5);
      // The weights after step 4 are finite: the bad step was never applied.
      assert.ok(err.weights && err.weights.length === 4);
      for (const w of err.weights) assert.ok(new Float32Array(w.data).every(Number.isFinite), `${w.name} is finite`);
      const steps = log.filter((m): m is Extract<WorkerToHost, { type: 'progress' }> => m.type === 'progress').map((m) => m.point.step);
      assert.deepEqual(steps, [1, 2, 3, 4]);
      const next = client.start({ spec: { ...spec, train: { ...spec.train, optimizer: { type: 'sgd', lr: 0.1 } } }, data: { kind: 'embedded', mediaDir: MEDIA }, options: { epochs: 1, batchSize: 10, seed: 0, shuffle: false, progressEveryMs: 1e9, snapshotEveryMs: 1e9, maxSteps: 20 } });
      assert.equal((await client.waitFor('done', next)).steps, 20);
    });
  });
});
