import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostToWebview } from '../../../src/protocol';
import { ModelState, fromPayload, toPayload } from '../../../src/extension/state';
import { evaluateState, sampleSet } from '../../../src/extension/evaluate';
import { dataSourceFor, testSet } from '../../../src/extension/data';
import * as torch from '../../../src/engine';
import type { ImageDataset } from '../../../src/data/dataset';

const EXAMPLE = fs.readFileSync(path.join(__dirname, '../../../examples/mnist-mlp.nn.json'), 'utf8');

function fresh(): { state: ModelState; sent: HostToWebview[] } {
  const state = new ModelState('file:///m/mnist-mlp.nn.json', () => ({ maxParameters: 10_000_000 }));
  const sent: HostToWebview[] = [];
  state.onMessage((m) => sent.push(m));
  return { state, sent };
}

const w = (s: ModelState, key: string) => new Float32Array(s.weights().find((p) => p.name === key)?.data ?? new ArrayBuffer(0));

describe('ModelState (the host-side model the views read)', () => {
  it('builds the example with PyTorch\'s init and announces the model, then the weights', () => {
    const { state, sent } = fresh();
    state.update(EXAMPLE, 3);
    assert.deepEqual(sent.map((m) => m.type), ['model', 'weights']);
    const model = sent[0];
    assert.ok(model.type === 'model');
    assert.equal(model.version, 3);
    assert.deepEqual(model.model.layers.map((l) => l.name), ['W1', '1', 'W2', '3']);
    assert.equal(model.model.totalParams, 50_890);
    // torch.manual_seed(0); nn.Linear(784, 64).weight[0, :3] → tensor([-0.0003, 0.0192, -0.0294])
    assert.deepEqual([...w(state, 'W1.weight').slice(0, 3)].map((v) => v.toFixed(4)), ['-0.0003', '0.0192', '-0.0294']);
  });

  it('keeps the trained weights through a broken edit, and only re-initialises the changed layer', () => {
    const { state } = fresh();
    state.update(EXAMPLE, 1);
    state.setWeights(state.weights().map((p) => ({ ...p, data: new Float32Array(p.data.byteLength / 4).fill(0.25).buffer })));
    state.update(EXAMPLE.replace('"layers": [', '"layers": [[['), 2);
    assert.equal(state.spec, null);
    assert.ok(state.analysis.diagnostics.some((d) => d.severity === 'error'));
    assert.ok(w(state, 'W1.weight').every((v) => v === 0.25), 'a typo does not lose the weights');
    state.update(EXAMPLE.replace('"name": "W2"', '"name": "head"'), 3);
    assert.deepEqual(state.reinitialised, ['head']);
    assert.ok(w(state, 'W1.weight').every((v) => v === 0.25), 'W1 kept');
    assert.ok(!w(state, 'head.weight').every((v) => v === 0.25), 'head initialised afresh');
  });

  it('refuses weights that do not fit, with PyTorch\'s message', () => {
    const { state } = fresh();
    state.update(EXAMPLE, 1);
    const bad = state.weights().map((p) => (p.name === 'W2.bias' ? { name: p.name, shape: [11], data: new Float32Array(11).buffer } : p));
    assert.throws(() => state.setWeights(bad), /size mismatch for W2\.bias: copying a param with shape torch\.Size\(\[11\]\) from checkpoint, the shape in current model is torch\.Size\(\[10\]\)/);
  });

  it('predicts a probability for each class, and Reset goes back to the init', () => {
    const { state } = fresh();
    state.update(EXAMPLE, 1);
    const init = w(state, 'W1.weight').slice();
    const p = state.predict(new Array(784).fill(0.5));
    assert.equal(p.length, 10);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    state.setWeights(state.weights().map((q) => ({ ...q, data: new Float32Array(q.data.byteLength / 4).fill(0.1).buffer })));
    state.reset();
    assert.deepEqual([...w(state, 'W1.weight')], [...init]);
    assert.equal(state.trained, false);
  });

  it('replays everything in init', () => {
    const { state } = fresh();
    state.update(EXAMPLE, 7);
    state.startRun(4);
    const m = state.initMessage({ updatesPerSecond: 10 });
    assert.ok(m.type === 'init');
    assert.equal(m.version, 7);
    assert.equal(m.runId, 4);
    assert.equal(m.training.status, 'starting');
    assert.deepEqual(m.weights.map((p) => p.name), ['W1.weight', 'W1.bias', 'W2.weight', 'W2.bias']);
  });

  it('payloads copy tensors, views included, and check their byte length', () => {
    const t = torch.arange(12).float().view(3, 4).T; // a non-contiguous view
    const p = toPayload('x', t);
    assert.deepEqual(p.shape, [4, 3]);
    assert.deepEqual([...new Float32Array(p.data)], [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    assert.deepEqual(fromPayload(p).tolist(), t.tolist());
    assert.throws(() => fromPayload({ name: 'y', shape: [2, 2], data: new ArrayBuffer(12) }), /tensor y: 12 bytes for shape \[2, 2\] \(expected 16\)/);
  });
});

describe('host-side evaluation and data', () => {
  const tiny: ImageDataset = {
    name: 'test', count: 3, rows: 28, cols: 28, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    images: new Uint8Array(3 * 784).map((_, i) => (i * 37) % 256), labels: Uint8Array.from([3, 1, 4]),
  };

  it('evaluates in chunks: accuracy, loss and a confusion matrix that adds up', async () => {
    const { state } = fresh();
    state.update(EXAMPLE, 1);
    const r = await evaluateState(state, tiny);
    assert.equal(r.count, 3);
    assert.equal(r.confusion.flat().reduce((a, b) => a + b, 0), 3);
    assert.deepEqual(r.confusion.map((row) => row.reduce((a, b) => a + b, 0)), [0, 1, 0, 1, 1, 0, 0, 0, 0, 0]);
    const probs = state.probabilities(Float32Array.from(tiny.images, (v) => v / 255), 3);
    const expectLoss = -(Math.log(probs[3]) + Math.log(probs[10 + 1]) + Math.log(probs[20 + 4])) / 3;
    assert.ok(Math.abs(r.loss - expectLoss) < 1e-6, `${r.loss} vs ${expectLoss}`);
    const s = sampleSet(state, tiny, 2);
    assert.deepEqual(s.labels, [3, 1]);
    assert.equal(new Float32Array(s.probs).length, 20);
  });

  it('picks the data source and says what to do when there is none', () => {
    const spec = fresh().state;
    spec.update(EXAMPLE, 1);
    const places = { folder: '', downloadDir: '/nonexistent/download', embeddedDir: '/x/media/mnist' };
    assert.deepEqual(dataSourceFor(spec.spec!, places), { kind: 'embedded', mediaDir: '/x/media/mnist' });
    assert.throws(() => dataSourceFor(spec.spec!, { ...places, folder: '/no/such/dir' }), /nnLens\.dataFolder is "\/no\/such\/dir", which is not a folder/);
    const fashion = { ...spec.spec!, input: { ...spec.spec!.input, dataset: 'fashion-mnist' as const } };
    assert.throws(() => dataSourceFor(fashion, places), /Use Dataset Folder/);
  });

  it('reads the embedded test set asynchronously, and names a missing file', async () => {
    const { state } = fresh();
    state.update(EXAMPLE, 1);
    const media = path.join(__dirname, '../../../media/mnist');
    const ds = await testSet({ kind: 'embedded', mediaDir: media }, state.spec!);
    assert.equal(ds.count, 2000);
    assert.equal(ds.rows * ds.cols, 784);
    const samples = sampleSet(state, ds, 100);
    assert.equal(samples.images.byteLength, 100 * 784, 'the samples travel in a buffer of their own');
    assert.deepEqual([...new Uint8Array(samples.images).subarray(0, 784)], [...ds.images.subarray(0, 784)]);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-'));
    await assert.rejects(testSet({ kind: 'folder', dir: empty }, state.spec!), /missing t10k-images-idx3-ubyte \(or t10k-images-idx3-ubyte\.gz\)/);
    fs.rmSync(empty, { recursive: true });
  });
});
