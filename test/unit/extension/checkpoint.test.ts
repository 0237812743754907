/**
 * Run checkpoints (what brings a run's view back after the extension host restarts): a real ModelState trained a
 * few SGD steps by the engine, saved, and restored into a fresh state as a reopened model file would be.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../../../src/engine';
import { writeSafetensorsFile } from '../../../src/data/safetensors';
import type { EvalResult } from '../../../src/protocol';
import { ModelState } from '../../../src/extension/state';
import { RunCheckpoints, restoredMessage } from '../../../src/extension/checkpoint';

const EXAMPLE = fs.readFileSync(path.join(__dirname, '../../../examples/mnist-mlp.nn.json'), 'utf8');
const URI = 'file:///ws/mnist-mlp.nn.json';

function fresh(text = EXAMPLE): ModelState {
  const s = new ModelState(URI, () => ({ maxParameters: 10_000_000 }));
  s.update(text, 1);
  return s;
}

const values = (s: ModelState, key: string) => [...(s.weightValues(key) ?? [])];

/** A state in the middle of a run: 30 real SGD steps on random inputs, progress points, one epoch's test result. */
function midRun(): ModelState {
  const s = fresh();
  s.startRun(3);
  s.setStatus('running');
  const model = s.model;
  assert.ok(model);
  torch.manualSeed(1);
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
  for (let step = 1; step <= 30; step++) {
    const x = torch.rand([10, 784]);
    const y = torch.randint(0, 10, [10]);
    const loss = torch.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (step % 10 === 0) s.addProgress({ epoch: 1, step, stepsPerEpoch: 800, stepInEpoch: step, loss: loss.item(), accuracy: 0.1 * (step / 10), samplesPerSec: 900, time: step * 3 });
  }
  s.mergeWeights(s.weights(), 30);
  const ev: EvalResult = { accuracy: 0.25, loss: 2.1, count: 20, perClass: new Array<number>(10).fill(0.25), confusion: Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 2 : 0))) };
  s.addEpoch(1, 30, ev);
  return s;
}

describe('run checkpoints', () => {
  let dir: string;
  let cps: RunCheckpoints;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-runs-'));
    cps = new RunCheckpoints(path.join(dir, 'runs'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('brings back the weights, the curves, the test results and the step of an interrupted run', () => {
    const before = midRun();
    const bytes = cps.save(before, 'shutdown', Date.UTC(2025, 0, 2, 10, 20, 30));
    assert.equal(bytes, fs.statSync(cps.fileFor(URI)).size);
    assert.ok(bytes > 50_890 * 4, 'the weights are in the file');
    const after = fresh();
    assert.notDeepEqual(values(after, 'W1.weight').slice(0, 20), values(before, 'W1.weight').slice(0, 20));
    const r = cps.restore(after);
    assert.ok(r);
    assert.deepEqual(r.skipped, []);
    for (const k of ['W1.weight', 'W1.bias', 'W2.weight', 'W2.bias']) assert.deepEqual(values(after, k), values(before, k), k);
    assert.equal(after.step, 30);
    assert.equal(after.training.status, 'cancelled');
    assert.deepEqual(after.training.points, before.training.points);
    assert.deepEqual(after.training.epochs, before.training.epochs);
    assert.deepEqual(after.evaluation, before.evaluation);
    assert.equal(after.runId, before.runId);
    assert.equal(after.training.message, restoredMessage(r.record));
    assert.match(after.training.message ?? '', /^training stopped at step 30 when the window was reloaded or closed \(\d\d:\d\d:\d\d\): its weights and curves are back; Train starts again from these weights$/);
    // What the view gets on `ready`.
    const init = after.initMessage({ updatesPerSecond: 10 });
    assert.ok(init.type === 'init' && init.training.points.length === 3 && init.training.status === 'cancelled');
  });

  it('says when the run was cut short without a shutdown (the last periodic checkpoint)', () => {
    cps.save(midRun(), 'running');
    const after = fresh();
    cps.restore(after);
    assert.match(after.training.message ?? '', /^training was interrupted after step 30: the extension host stopped; the last checkpoint \(.+\) is back with its weights and curves/);
  });

  it('restores into an edited model the tensors that still fit, and names the others', () => {
    const before = midRun();
    cps.save(before, 'running');
    const edited = fresh(EXAMPLE.replace('"name": "W2"', '"name": "head"'));
    const r = cps.restore(edited);
    assert.ok(r);
    assert.deepEqual(r.skipped, ['W2.weight', 'W2.bias']);
    assert.deepEqual(values(edited, 'W1.weight'), values(before, 'W1.weight'));
    assert.equal(edited.training.points.length, 3);
  });

  it('gives way to weights saved next to the model after it, and to nothing', () => {
    assert.equal(cps.restore(fresh()), null, 'no checkpoint');
    cps.save(midRun(), 'running');
    const newer = path.join(dir, 'mnist-mlp.safetensors');
    writeSafetensorsFile(newer, fresh().stateDict());
    const t = new Date(Date.now() + 5000);
    fs.utimesSync(newer, t, t);
    const s = fresh();
    assert.equal(cps.restore(s, newer), null);
    assert.equal(s.training.points.length, 0);
    cps.remove(URI);
    assert.equal(fs.existsSync(cps.fileFor(URI)), false);
  });

  it('refuses a damaged checkpoint with an error naming the file and the problem, leaving the state as it was', () => {
    const file = cps.fileFor(URI);
    const s0 = fresh();
    const w0 = values(s0, 'W1.weight').slice(0, 10);
    const refuse = (re: RegExp) => {
      const s = fresh();
      assert.throws(() => cps.restore(s), (e: Error) => e.message.startsWith(file) && re.test(e.message));
      assert.deepEqual(values(s, 'W1.weight').slice(0, 10), w0);
      assert.equal(s.training.points.length, 0);
    };
    cps.save(midRun(), 'running');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 1000));
    refuse(/./);
    writeSafetensorsFile(file, midRun().stateDict(), { format: 'pt' });
    refuse(/not a usable run checkpoint: it holds no run record$/);
    const record = (patch: Record<string, unknown>) => JSON.stringify({ v: 1, uri: URI, savedAt: 1, reason: 'running', step: 3, training: { runId: 1, status: 'running', points: [], epochs: [], editMarkers: [] }, evaluation: null, ...patch });
    writeSafetensorsFile(file, midRun().stateDict(), { 'nnlens.run': '{"v": 1, "uri"' });
    refuse(/not a usable run checkpoint: the run record is not JSON/);
    writeSafetensorsFile(file, midRun().stateDict(), { 'nnlens.run': record({ uri: 'file:///elsewhere.nn.json' }) });
    refuse(/the run record belongs to another model file$/);
    writeSafetensorsFile(file, midRun().stateDict(), { 'nnlens.run': record({ training: { runId: 1, status: 'running', points: [{ epoch: 1, step: -4 }], epochs: [], editMarkers: [] } }) });
    refuse(/training\.points\[0\] has a wrong epoch or step$/);
    writeSafetensorsFile(file, midRun().stateDict(), { 'nnlens.run': record({ evaluation: { accuracy: 'high' } }) });
    refuse(/evaluation lacks accuracy, loss or count$/);
  });
});
