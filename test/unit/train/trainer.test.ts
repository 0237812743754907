import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '../../../src/engine';
import { Trainer, TrainingError } from '../../../src/train/trainer';
import { loadEmbedded, type DatasetPair } from '../../../src/data/dataset';
import { readSafetensorsFile } from '../../../src/data/safetensors';
import { loadModelSpec } from '../../../src/model/load';
import type { ModelSpec } from '../../../src/model/spec';

const ROOT = path.resolve(__dirname, '../../..');
const FIX = path.join(ROOT, 'test/fixtures/data');
const seed = (): ModelSpec => loadModelSpec(fs.readFileSync(path.join(FIX, 'seed.nn.json'), 'utf8'), 'seed.nn.json');

/** The first n training and test digits of the embedded set. */
function subset(data: DatasetPair, nTrain: number, nTest: number): DatasetPair {
  const cut = (d: DatasetPair['train'], n: number): DatasetPair['train'] => ({ ...d, count: n, images: d.images.subarray(0, n * 784), labels: d.labels.subarray(0, n) });
  return { train: cut(data.train, nTrain), test: cut(data.test, nTest), source: 'subset' };
}

describe('Trainer', () => {
  const data = loadEmbedded(path.join(ROOT, 'media/mnist'));

  it('matches PyTorch: 100 SGD steps of the seed network give PyTorch\'s weights (atol 1e-5)', () => {
    const tr = new Trainer(seed(), data, { epochs: 1, batchSize: 10, seed: 0, shuffle: true, maxSteps: 100 });
    for (let i = 0; i < 100; i++) assert.equal(tr.advance().type, 'step');
    const want = readSafetensorsFile(path.join(FIX, 'torch-steps100.safetensors'));
    for (const [k, p] of tr.model.namedParameters()) {
      const a = p.toArray();
      const b = (want.get(k) as torch.Tensor).toArray();
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      assert.ok(worst < 1e-5, `${k}: differs by ${worst}`);
    }
    const done = tr.advance();
    assert.equal(done.type, 'done');
    assert.ok(tr.finished);
  });

  it('reports steps, then the epoch\'s evaluation, then done; deterministic for a seed', () => {
    const run = (): string => {
      const tr = new Trainer(seed(), subset(data, 200, 100), { epochs: 2, batchSize: 50, seed: 7, shuffle: true });
      const events: string[] = [];
      tr.runAll((e) => events.push(e.type === 'step' ? `s${e.step}:${e.loss.toFixed(6)}` : e.type === 'epochEnd' ? `E${e.epoch}:${e.test.accuracy}` : `done:${e.steps}`));
      return events.join(' ');
    };
    const a = run();
    assert.match(a, /^s1:\S+ s2:\S+ s3:\S+ s4:\S+ E1:\S+ s5:\S+ s6:\S+ s7:\S+ s8:\S+ E2:\S+ done:8$/);
    assert.equal(run(), a);
  });

  it('evaluates accuracy, per-class accuracy and a confusion matrix that add up', () => {
    const tr = new Trainer(seed(), subset(data, 100, 300), { epochs: 1, batchSize: 10, seed: 0, shuffle: false });
    const r = tr.evaluate();
    assert.equal(r.count, 300);
    assert.equal(r.confusion.flat().reduce((a, b) => a + b), 300);
    const correct = r.confusion.reduce((a, row, k) => a + row[k], 0);
    assert.equal(r.accuracy, correct / 300);
    r.confusion.forEach((row, k) => {
      const n = row.reduce((a, b) => a + b);
      assert.equal(n, Array.from(data.test.labels.subarray(0, 300)).filter((l) => l === k).length);
      assert.equal(r.perClass[k], n ? row[k] / n : 0);
    });
    assert.ok(r.loss > 2 && r.loss < 2.5, `untrained loss ${r.loss} near ln(10)`);
  });

  it('stops on a NaN loss with the epoch, the step and advice', () => {
    const spec = seed();
    const tr = new Trainer({ ...spec, train: { ...spec.train, optimizer: { type: 'sgd', lr: 1e38 } } }, subset(data, 100, 10), { epochs: 1, batchSize: 10, seed: 0, shuffle: false });
    assert.throws(
      () => tr.runAll(),
      (e: unknown) => e instanceof TrainingError && /^loss became (NaN|Inf) at epoch 1, step \d+: try a smaller learning rate$/.test(e.message) && e.epoch === 1 && e.step > 1,
    );
    assert.ok(tr.finished);
  });

  it('trains with mse_loss and nll_loss heads, and with Adam', () => {
    const spec = seed();
    const small = subset(data, 50, 20);
    const mse = new Trainer({ ...spec, train: { ...spec.train, loss: 'mse_loss' } }, small, { epochs: 1, batchSize: 10, seed: 0, shuffle: false });
    assert.equal(mse.runAll().steps, 5);
    const logsm = { ...spec, layers: [...spec.layers.slice(0, 3), { type: 'LogSoftmax' as const, dim: 1 }] };
    const nll = new Trainer({ ...logsm, train: { ...spec.train, loss: 'nll_loss', optimizer: { type: 'adam', lr: 1e-3 } } }, small, { epochs: 1, batchSize: 10, seed: 0, shuffle: false });
    const first = nll.advance();
    assert.ok(first.type === 'step' && first.loss > 2 && first.loss < 2.6);
  });

  it('refuses data whose images do not fit the model input', () => {
    const spec = seed();
    assert.throws(() => new Trainer({ ...spec, input: { ...spec.input, shape: [100] } }, data, { epochs: 1, batchSize: 10, seed: 0, shuffle: true }), /takes input of shape \[100\] \(100 values\) but the embedded MNIST subset has 28×28 = 784-pixel images/);
  });
});
