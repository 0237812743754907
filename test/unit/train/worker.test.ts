import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { TrainingClient } from '../../../src/train/client';
import { loadModelSpec } from '../../../src/model/load';
import type { TrainOptions, WorkerToHost } from '../../../src/protocol';
import { defaultKernelThreads } from '../../../src/train/kernel-threads';

const ROOT = path.resolve(__dirname, '../../..');
const spec = loadModelSpec(fs.readFileSync(path.join(ROOT, 'test/fixtures/data/seed.nn.json'), 'utf8'), 'seed.nn.json');
const embedded = { kind: 'embedded' as const, mediaDir: path.join(ROOT, 'media/mnist') };
const opts = (o: Partial<TrainOptions> = {}): TrainOptions => ({ epochs: 1, batchSize: 10, seed: 0, shuffle: true, progressEveryMs: 20, snapshotEveryMs: 50, ...o });

describe('the training worker through TrainingClient', function () {
  this.timeout(30_000);
  let dir: string;
  let script: string;
  let client: TrainingClient;
  let log: WorkerToHost[];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-worker-'));
    script = path.join(dir, 'worker.js');
    // The same bundle scripts/build.mjs makes for dist/worker.js.
    await esbuild.build({ entryPoints: [path.join(ROOT, 'src/train/worker.ts')], outfile: script, bundle: true, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'], logLevel: 'silent' });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    client = new TrainingClient({ workerScript: script });
    log = [];
    client.onMessage((m) => log.push(m));
  });
  afterEach(() => client.dispose());

  it('trains: started, throttled progress, transferable snapshots, epoch ends, done with the test result', async () => {
    const runId = client.start({ spec, data: embedded, options: opts({ epochs: 2, batchSize: 100 }) });
    const done = await client.waitFor('done', runId);
    const types = log.map((m) => m.type);
    assert.equal(types[0], 'started');
    assert.deepEqual(log[0], { type: 'started', runId, trainSize: 8000, testSize: 2000, stepsPerEpoch: 80, threads: defaultKernelThreads() });
    assert.deepEqual(log.filter((m) => m.type === 'epochEnd').map((m) => m.type === 'epochEnd' && m.epoch), [1, 2]);
    assert.equal(done.status, 'done');
    assert.equal(done.steps, 160);
    assert.deepEqual(done.weights.map((w) => [w.name, w.shape, w.data.byteLength]), [['W1.weight', [64, 784], 64 * 784 * 4], ['W1.bias', [64], 256], ['W2.weight', [10, 64], 2560], ['W2.bias', [10], 40]]);
    assert.ok(done.test && done.test.count === 2000 && done.test.accuracy > 0.5);
    const progress = log.filter((m): m is Extract<WorkerToHost, { type: 'progress' }> => m.type === 'progress');
    assert.ok(progress.length >= 2, `${progress.length} progress points`);
    for (const p of progress) assert.ok(p.point.loss > 0 && p.point.accuracy >= 0 && p.point.accuracy <= 1 && p.point.samplesPerSec > 0);
    assert.deepEqual(progress.map((p) => p.point.step), [...progress.map((p) => p.point.step)].sort((a, b) => a - b));
    const snaps = log.filter((m) => m.type === 'snapshot');
    assert.ok(snaps.length >= 1 && snaps.length < 160, `${snaps.length} snapshots`);
  });

  it('options.threads: runs on 1 and on 2 kernel threads end with the same weights, bit for bit; 3 is refused', async () => {
    const weights: Buffer[][] = [];
    for (const threads of [1, 2]) {
      const runId = client.start({ spec, data: embedded, options: opts({ batchSize: 100, maxSteps: 30, threads }) });
      const done = await client.waitFor('done', runId);
      const started = log.find((m) => m.type === 'started' && m.runId === runId);
      assert.equal(started?.type === 'started' && started.threads, Math.min(threads, defaultKernelThreads()));
      weights.push(done.weights.map((w) => Buffer.from(w.data)));
    }
    weights[0].forEach((b, i) => assert.ok(b.equals(weights[1][i]), `parameter ${i}`));
    const bad = client.start({ spec, data: embedded, options: { ...opts(), threads: 3 } });
    const err = await client.waitFor('error', bad);
    assert.match(err.message, /start\.options\.threads must be 1 or 2, got 3/);
  });

  it('pauses between batches, evaluates on request, resumes, and cancels within a batch', async () => {
    // A run no machine finishes before the test cancels it (10,000 epochs of 800 steps): it must still be going
    // when the pause and the cancel arrive, however fast the kernels train.
    const epochs = 10_000;
    const runId = client.start({ spec, data: embedded, options: opts({ epochs }) });
    await client.waitFor('progress', runId);
    client.pause(runId);
    await client.waitFor('paused', runId);
    const stepAtPause = Math.max(...log.map((m) => (m.type === 'progress' ? m.point.step : 0)));
    const requestId = client.evaluate(runId);
    const ev = await client.waitFor('evaluation', runId, (m) => m.requestId === requestId);
    assert.equal(ev.result.count, 2000);
    await new Promise((r) => setTimeout(r, 150));
    assert.ok(!log.some((m) => m.type === 'progress' && m.point.step > stepAtPause), 'no steps while paused');
    client.resume(runId);
    await client.waitFor('resumed', runId);
    await client.waitFor('progress', runId, (m) => m.point.step > stepAtPause);
    const t = Date.now();
    client.cancel(runId);
    const done = await client.waitFor('done', runId);
    assert.ok(Date.now() - t < 1000, `cancel took ${Date.now() - t} ms`);
    assert.equal(done.status, 'cancelled');
    assert.ok(done.steps > stepAtPause && done.steps < epochs * 800, `cancelled at step ${done.steps} (paused at ${stepAtPause})`);
    assert.equal(done.weights.length, 4);
  });

  it('reports a bad data folder as an error, and the next run still works', async () => {
    const bad = client.start({ spec, data: { kind: 'folder', dir: '/nonexistent/data' }, options: opts() });
    const err = await client.waitFor('error', bad);
    assert.equal(err.message, '/nonexistent/data: dataset folder not found');
    const good = client.start({ spec, data: embedded, options: opts({ maxSteps: 5 }) });
    assert.equal((await client.waitFor('done', good)).steps, 5);
  });

  it('reports a NaN loss with the epoch and step', async () => {
    const runId = client.start({ spec: { ...spec, train: { ...spec.train, optimizer: { type: 'sgd', lr: 1e38 } } }, data: embedded, options: opts() });
    const err = await client.waitFor('error', runId);
    assert.match(err.message, /^loss became (NaN|Inf) at epoch 1, step \d+: try a smaller learning rate$/);
    assert.equal(err.epoch, 1);
    assert.ok(err.weights && err.weights.length === 4);
  });

  it('answers a malformed message with an error naming the field', async () => {
    client.start({ spec, data: embedded, options: { ...opts(), batchSize: -1 } });
    const err = await new Promise<WorkerToHost>((r) => client.on('error', r));
    assert.ok(err.type === 'error' && err.message === 'bad message to the training worker: start.options.batchSize must be an integer ≥ 1, got -1');
  });

  it('a crashing worker becomes an error event; the caller lives on', async () => {
    const crash = path.join(dir, 'crash.js');
    fs.writeFileSync(crash, "require('node:worker_threads').parentPort.on('message', () => { throw new Error('boom'); });");
    const c = new TrainingClient({ workerScript: crash });
    try {
      const runId = c.start({ spec, data: embedded, options: opts() });
      const err = await c.waitFor('error', runId);
      assert.equal(err.message, 'the training worker crashed: boom');
      assert.equal(c.running, false);
      const exit = path.join(dir, 'exit.js');
      fs.writeFileSync(exit, 'process.exit(3);');
      const c2 = new TrainingClient({ workerScript: exit });
      const r2 = c2.start({ spec, data: embedded, options: opts() });
      assert.equal((await c2.waitFor('error', r2)).message, 'the training worker stopped unexpectedly (exit code 3)');
      await c2.dispose();
    } finally {
      await c.dispose();
    }
  });
});
