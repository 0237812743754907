/**
 * Pause is a barrier: once the worker says `paused`, no step happens and no progress is sent until `resumed`.
 * (The worker used to answer `pause` at once and then flush the progress of the steps still in its window: the
 * host showed "paused", then a progress line overwrote it.) Real worker bundle, real data, 12 pause/resume cycles
 * at arbitrary points of a run whose progress is throttled (so steps are always waiting in the window).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { TrainingClient } from '../../../src/train/client';
import { loadModelSpec } from '../../../src/model/load';
import type { WorkerToHost } from '../../../src/protocol';

const ROOT = path.resolve(__dirname, '../../..');
const spec = loadModelSpec(fs.readFileSync(path.join(ROOT, 'test/fixtures/data/seed.nn.json'), 'utf8'), 'seed.nn.json');
const embedded = { kind: 'embedded' as const, mediaDir: path.join(ROOT, 'media/mnist') };

describe('the training worker: pause is a barrier', function () {
  this.timeout(60_000);
  let dir: string;
  let script: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-pause-'));
    script = path.join(dir, 'worker.js');
    await esbuild.build({ entryPoints: [path.join(ROOT, 'src/train/worker.ts')], outfile: script, bundle: true, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'], logLevel: 'silent' });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('sends every progress before `paused`, none until `resumed`, and the steps go on from where they stopped', async () => {
    const client = new TrainingClient({ workerScript: script });
    const log: WorkerToHost[] = [];
    client.onMessage((m) => log.push(m));
    try {
      // 40 ms between progress points: a pause almost always finds steps in the window not yet reported. 10,000
      // epochs: the run is still going through the 12 cycles however fast the kernels train (the test cancels it).
      const runId = client.start({ spec, data: embedded, options: { epochs: 10_000, batchSize: 10, seed: 0, shuffle: true, progressEveryMs: 40, snapshotEveryMs: 1000 } });
      await client.waitFor('progress', runId);
      for (let cycle = 0; cycle < 12; cycle++) {
        // Pause after a varying number of steps (0-30 ms of training), then stay paused a while.
        await new Promise((r) => setTimeout(r, (cycle * 7) % 31));
        client.pause(runId);
        await client.waitFor('paused', runId);
        await new Promise((r) => setTimeout(r, 60));
        client.resume(runId);
        await client.waitFor('resumed', runId);
      }
      client.cancel(runId);
      const done = await client.waitFor('done', runId);

      const types = log.map((m) => m.type);
      assert.equal(types.filter((t) => t === 'paused').length, 12);
      assert.equal(types.filter((t) => t === 'resumed').length, 12);
      let paused = false;
      let stepAtPause = -1;
      let lastStep = 0;
      for (const m of log) {
        if (m.type === 'paused') {
          assert.equal(paused, false, 'paused twice in a row');
          paused = true;
          stepAtPause = lastStep;
        } else if (m.type === 'resumed') {
          paused = false;
        } else if (m.type === 'progress') {
          assert.equal(paused, false, `a progress for step ${m.point.step} arrived after "paused" (at step ${stepAtPause})`);
          assert.ok(m.point.step > lastStep, `progress steps increase: ${m.point.step} after ${lastStep}`);
          assert.ok(m.point.stepInEpoch !== undefined && m.point.stepInEpoch === m.point.step - (m.point.epoch - 1) * m.point.stepsPerEpoch, `step ${m.point.step} is step ${m.point.stepInEpoch} of epoch ${m.point.epoch}`);
          lastStep = m.point.step;
        } else if (m.type === 'snapshot') {
          assert.equal(paused, false, 'no snapshot while paused');
        }
      }
      // The cancel flushed the last window: the run ended at the last step reported.
      assert.equal(done.status, 'cancelled');
      assert.equal(done.steps, lastStep);
    } finally {
      await client.dispose();
    }
  });
});
