import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { readSafetensorsFile } from '../../../src/data/safetensors';
import type { TensorPayload } from '../../../src/protocol';
import { api, LONG_EPOCHS, longModel, openModel, smallModel, waitFor, waitForLog, workspaceDir, stopRunAndCloseAll } from './helpers';

/**
 * The notebook's network (the example file), three epochs at batch 10 by default: 2,400 steps, a run that ends within
 * a few seconds. With LONG_EPOCHS it outlasts any test (the test stops it).
 */
function trainMe(epochs = 3): string {
  const example = path.join(workspaceDir(), 'mnist-mlp.nn.json');
  return fs.readFileSync(example, 'utf8').replace('"epochs": 1', `"epochs": ${epochs}`);
}

/**
 * The window over which the extension host's event loop is sampled while the worker trains: at least 5 s, and on
 * until 500 samples at 10 ms resolution (a loaded machine delays the timer: fewer samples per second).
 */
const DELAY_WINDOW_MS = 5_000;
const DELAY_MIN_SAMPLES = 500;

describe('training in the editor', function () {
  this.timeout(180_000);
  // A failed test must not leave a run going for the next one.
  afterEach(stopRunAndCloseAll);

  it('trains the file\'s settings in the worker, keeps the host responsive, and saves the weights next to the model', async () => {
    const nn = await api();
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const w1 = (ws: TensorPayload[]) => [...new Float32Array(ws.find((w) => w.name === 'W1.weight')?.data ?? new ArrayBuffer(0))];

    // The host's event loop over a fixed window of training: the example network for LONG_EPOCHS epochs (a run that
    // no machine finishes), sampled from the worker's first progress for DELAY_WINDOW_MS, then stopped. A baseline
    // first: the same host, idle.
    const long = await openModel('train-long.nn.json', trainMe(LONG_EPOCHS));
    const longWeights = long.uri.fsPath.replace(/\.nn\.json$/, '.safetensors');
    const longState = nn.models.get(long.uri);
    assert.ok(longState);
    const idle = monitorEventLoopDelay({ resolution: 10 });
    idle.enable();
    await sleep(1000);
    idle.disable();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    const longRun = vscode.commands.executeCommand('nnLens.train', long.uri);
    await waitFor('the run to start', () => longState.training.points.length > 0, 60_000, 5);
    const stepAtStart = longState.step;
    const t0 = performance.now();
    delay.enable();
    await sleep(DELAY_WINDOW_MS);
    await waitFor(`${DELAY_MIN_SAMPLES} event-loop samples`, () => delay.count >= DELAY_MIN_SAMPLES, 20_000, 100).catch(() => undefined);
    delay.disable();
    const seconds = (performance.now() - t0) / 1000;
    const stepsInWindow = longState.step - stepAtStart;
    assert.equal(longState.training.status, 'running', 'the worker trained through the whole window');
    assert.ok(stepsInWindow > 0, 'steps during the window');
    nn.training.stop();
    assert.equal(await longRun, 'cancelled');
    const longest = nn.training.longestHandler;

    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    const p99 = delay.percentile(99) / 1e6;
    console.log(`      extension host event-loop delay idle: p50 ${ms(idle.percentile(50))} ms, p99 ${ms(idle.percentile(99))} ms over ${idle.count} samples`);
    console.log(`      extension host event-loop delay while training: p50 ${ms(delay.percentile(50))} ms, p99 ${p99.toFixed(1)} ms, max ${ms(delay.max)} ms over ${delay.count} samples (10 ms resolution) in ${seconds.toFixed(1)} s of training (${stepsInWindow} steps); longest worker-message handler ${longest.ms.toFixed(1)} ms (${longest.type})`);
    assert.ok(delay.count >= DELAY_MIN_SAMPLES, `only ${delay.count} event-loop samples in ${seconds.toFixed(1)} s (at least ${DELAY_MIN_SAMPLES} needed)`);
    const idleP99 = idle.percentile(99) / 1e6;
    if (idleP99 < 50) {
      assert.ok(p99 < 50, `event-loop delay p99 ${p99.toFixed(1)} ms must stay under 50 ms`);
    } else {
      // Other processes starve this machine (the idle host alone misses 50 ms): training may add at most 50 ms.
      console.log(`      NOTICE: the machine is overloaded (idle p99 ${idleP99.toFixed(1)} ms): checking that training adds under 50 ms`);
      assert.ok(p99 < idleP99 + 50, `event-loop delay p99 ${p99.toFixed(1)} ms (idle ${idleP99.toFixed(1)} ms)`);
    }
    // A stopped run saves its weights next to the model too.
    await waitFor('the weights file of the stopped run', () => fs.existsSync(longWeights));
    const savedOnStop = readSafetensorsFile(longWeights).get('W1.weight')?.toArray() as Float32Array;
    assert.deepEqual([...savedOnStop], w1(longState.weights()), 'the file holds the stopped run\'s weights');

    // A run that ends by itself: three epochs, evaluated, and saved next to the model.
    const { uri } = await openModel('train-me.nn.json', trainMe());
    const weightsFile = uri.fsPath.replace(/\.nn\.json$/, '.safetensors');
    assert.equal(fs.existsSync(weightsFile), false);
    const state = nn.models.get(uri);
    assert.ok(state);
    const before = state.weights().find((w) => w.name === 'W1.weight');
    assert.ok(before);
    const result = await vscode.commands.executeCommand('nnLens.train', uri);
    assert.equal(result, 'done', `training ended with ${String(result)} (${nn.lastMessage?.text ?? ''})`);
    assert.equal(state.training.status, 'done');
    assert.ok(state.training.points.length > 0, 'progress points arrived');
    assert.equal(state.step, 2400, 'three epochs of 8,000 images at batch 10');
    assert.ok(state.evaluation && state.evaluation.accuracy > 0.85, `test accuracy ${state.evaluation?.accuracy}`);
    assert.match(nn.statusText(), /trained · epoch 3 · step 2400 · test acc \d+\.\d%/);

    await waitFor('the weights file', () => fs.existsSync(weightsFile));
    const saved = readSafetensorsFile(weightsFile);
    assert.deepEqual([...saved.keys()].sort(), ['W1.bias', 'W1.weight', 'W2.bias', 'W2.weight']);
    assert.deepEqual([...(saved.get('W1.weight')?.shape ?? [])], [64, 784]);
    const now = state.weights().find((w) => w.name === 'W1.weight');
    assert.ok(now);
    const a = new Float32Array(now.data);
    const b = saved.get('W1.weight')?.toArray() as Float32Array;
    assert.notDeepEqual([...new Float32Array(before.data)], [...a], 'training changed the weights');
    assert.deepEqual([...a], [...b], 'the file holds exactly the trained weights');
  });

  it('reloads the saved weights when the model is opened in a fresh session, and keeps unchanged layers on edit', async () => {
    const nn = await api();
    const { uri, editor } = await openModel('train-me.nn.json', trainMe());
    const state = nn.models.get(uri);
    assert.ok(state);
    assert.equal(state.trained, true, 'the trained weights are in use');
    const pos = editor.document.positionAt(editor.document.getText().indexOf('"W1"') + 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos);
    const hover = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(hover, /Current weights: `W1\.weight`: mean -?\d/, 'the hover shows the trained weights\' statistics');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
    assert.ok(lenses.some((l) => /^\[B, 784\] → \[B, 64\] · 50,240 params · ‖W‖ \d/.test(l.command?.title ?? '')), 'the CodeLens shows the weight norm');
    const w2 = () => new Float32Array(state.weights().find((w) => w.name === 'W2.weight')?.data ?? new ArrayBuffer(0));
    const w1 = () => new Float32Array(state.weights().find((w) => w.name === 'W1.weight')?.data ?? new ArrayBuffer(0));
    const w1Before = w1().slice(0, 50);
    const w2Before = w2().slice(0, 50);
    // Widen the hidden layer: W1 and W2 change shape; shrink back: both re-initialised; change the head only: W1 stays.
    const text = editor.document.getText();
    const at = text.indexOf('"lr": 0.1');
    await editor.edit((e) => e.replace(new vscode.Range(editor.document.positionAt(at), editor.document.positionAt(at + 9)), '"lr": 0.05'));
    await waitFor('re-analysis', () => state.version === editor.document.version);
    assert.deepEqual([...w1().slice(0, 50)], [...w1Before], 'an edit of the training settings keeps every weight');
    assert.deepEqual(state.reinitialised, []);
    const t2 = editor.document.getText();
    const at2 = t2.indexOf('"name": "W2"');
    await editor.edit((e) => e.replace(new vscode.Range(editor.document.positionAt(at2), editor.document.positionAt(at2 + 12)), '"name": "head"'));
    await waitFor('re-analysis', () => state.version === editor.document.version);
    assert.deepEqual(state.reinitialised, ['head'], 'only the renamed layer is re-initialised');
    assert.deepEqual([...w1().slice(0, 50)], [...w1Before], 'W1 keeps its trained weights');
    const head = new Float32Array(state.weights().find((w) => w.name === 'head.weight')?.data ?? new ArrayBuffer(0));
    assert.equal(head.length, 640);
    assert.notDeepEqual([...head.slice(0, 50)], [...w2Before], 'the renamed layer starts from a fresh init');
    await vscode.commands.executeCommand('undo');
    await vscode.commands.executeCommand('undo');
  });

  it('pauses, resumes and stops a run from the commands', async () => {
    const nn = await api();
    // A run that outlasts the test on any machine (the test stops it): a 20-epoch run could end before the pause.
    const { uri } = await openModel('long.nn.json', longModel('long'));
    const state = nn.models.get(uri);
    assert.ok(state);
    const done = vscode.commands.executeCommand('nnLens.train', uri);
    await waitFor('the run to start', () => state.training.status === 'running', 30_000);
    assert.equal(await vscode.commands.executeCommand('nnLens.pauseResume'), 'paused');
    await waitFor('paused', () => state.training.status === 'paused');
    await new Promise((r) => setTimeout(r, 300)); // the progress of the last batches may still be on its way
    const stepAtPause = state.step;
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(state.step, stepAtPause, 'no step while paused');
    assert.equal(nn.statusText(), `$(debug-pause) NN Lens: paused at step ${stepAtPause}`);
    assert.equal(await vscode.commands.executeCommand('nnLens.pauseResume'), 'resumed');
    await waitFor('running again', () => state.training.status === 'running');
    // The run goes on from where it paused, and the status bar follows it.
    const shown = () => Number(new RegExp(`^\\$\\(pulse\\) NN Lens: epoch \\d+/${LONG_EPOCHS} · step (\\d+) `).exec(nn.statusText())?.[1] ?? 0);
    await waitFor('steps after the resume, in the status bar', () => state.step > stepAtPause && shown() > stepAtPause, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}: step ${state.step} (paused at ${stepAtPause}), status bar "${nn.statusText()}"`);
    });
    assert.equal(state.training.status, 'running');
    await vscode.commands.executeCommand('nnLens.stop');
    assert.equal(await done, 'cancelled');
    assert.equal(state.training.status, 'cancelled');
    assert.equal(nn.training.current, null);
    assert.equal(await vscode.commands.executeCommand('nnLens.pauseResume'), 'idle');
    assert.equal(nn.lastMessage?.text, 'nothing is training');
  });

  it('goes on training the edited model when the file changes during a run, keeping the unchanged layers', async () => {
    const nn = await api();
    // A run that outlasts the test (stopped at the end): it must still be training when the edit lands.
    const { uri, editor } = await openModel('edit-while-training.nn.json', longModel('edit-while-training'));
    const state = nn.models.get(uri);
    assert.ok(state);
    const done = vscode.commands.executeCommand('nnLens.train', uri);
    await waitFor('some progress', () => state.training.status === 'running' && state.step > 50, 30_000);
    const at = editor.document.getText().indexOf('"name": "W2"');
    await editor.edit((e) => e.replace(new vscode.Range(editor.document.positionAt(at), editor.document.positionAt(at + 12)), '"name": "head"'));
    const marker = await waitFor('an edit marker', () => state.training.editMarkers[0], 10_000);
    assert.deepEqual(marker.changed, ['head']);
    await waitFor('training on the edited model', () => state.step > marker.step + 50 && state.weights().some((w) => w.name === 'head.weight'), 30_000);
    assert.equal(state.training.status, 'running');
    assert.equal(state.training.runId, state.runId, 'the same run goes on (the curves continue)');
    const points = state.training.points.map((p) => p.step);
    assert.deepEqual(points, [...points].sort((a, b) => a - b), 'steps keep increasing across the restart');
    await vscode.commands.executeCommand('nnLens.stop');
    assert.equal(await done, 'cancelled');
    await vscode.commands.executeCommand('undo');
  });

  it('reports a worker killed mid-training, keeps the weights of the last snapshot, and the next Train works', async () => {
    const nn = await api();
    // A run that outlasts the test: the worker must still be training when it is killed.
    const { uri, editor } = await openModel('killed.nn.json', longModel('killed'));
    const state = nn.models.get(uri);
    assert.ok(state);
    const w1 = (ws: TensorPayload[]) => [...new Float32Array(ws.find((w) => w.name === 'W1.weight')?.data ?? new ArrayBuffer(0))];
    const initial = w1(state.weights());
    // The weights the views got from the worker's snapshots, the latest last.
    let snapshot: { step: number; weights: TensorPayload[] } | null = null;
    const sub = state.onMessage((m) => {
      if (m.type === 'weights' && nn.training.current) snapshot = { step: m.step, weights: m.weights };
    });
    try {
      const run = vscode.commands.executeCommand<string>('nnLens.train', uri);
      await waitFor('training with a snapshot', () => state.training.status === 'running' && snapshot !== null && state.step > 100, 30_000);
      const thread = nn.training.workerThread();
      assert.ok(thread, 'the worker thread');
      // Killed from outside the client, as a crash or the OS would.
      await thread.terminate();
      assert.equal(await run, 'error');
      const kept = snapshot as { step: number; weights: TensorPayload[] } | null;
      assert.ok(kept);
      assert.equal(state.training.status, 'error');
      assert.equal(state.training.message, `the training worker stopped unexpectedly (exit code 1); the weights of step ${kept.step} (the last snapshot) are kept`);
      assert.deepEqual(w1(state.weights()), w1(kept.weights), 'the model holds the last snapshot');
      assert.notDeepEqual(w1(state.weights()), initial, 'trained weights, not the init');
      assert.equal(nn.training.current, null);
      assert.match(nn.statusText(), /^\$\(graph\) NN Lens: training failed · epoch \d+ · step \d+/);
      await waitForLog(nn.logFile, /\[error\] run \d+: the training worker stopped unexpectedly \(exit code 1\); the weights of step \d+ \(the last snapshot\) are kept/);
      // Not saved next to the model: a failed run leaves the weights file as it was.
      assert.equal(fs.existsSync(uri.fsPath.replace(/\.nn\.json$/, '.safetensors')), false);

      // The next Train starts a new worker from the kept weights (one epoch this time) and finishes.
      const text = editor.document.getText();
      const epochs = `"epochs": ${LONG_EPOCHS}`;
      const at = text.indexOf(epochs);
      assert.ok(at >= 0, epochs);
      await editor.edit((e) => e.replace(new vscode.Range(editor.document.positionAt(at), editor.document.positionAt(at + epochs.length)), '"epochs": 1'));
      await waitFor('re-analysis', () => state.version === editor.document.version);
      assert.deepEqual(w1(state.weights()), w1(kept.weights), 'an edit of the epochs keeps the weights');
      assert.equal(await vscode.commands.executeCommand('nnLens.train', uri), 'done');
      assert.equal(state.training.status, 'done');
      assert.ok(nn.training.workerThread() && nn.training.workerThread() !== thread, 'a new worker');
      assert.ok(state.evaluation && state.evaluation.accuracy > 0.5, `test accuracy ${state.evaluation?.accuracy}`);
    } finally {
      sub.dispose();
    }
  });

  it('stops with a clear message when the loss becomes NaN, and the next run works', async () => {
    const nn = await api();
    const { uri } = await openModel('nan.nn.json', smallModel('nan').replace('"lr": 0.5', '"lr": 1e30').replace('"Sigmoid"', '"ReLU"'));
    const state = nn.models.get(uri);
    assert.ok(state);
    assert.equal(await vscode.commands.executeCommand('nnLens.train', uri), 'error');
    assert.equal(state.training.status, 'error');
    assert.match(state.training.message ?? '', /loss became (NaN|inf)/i);
    assert.match(state.training.message ?? '', /try a smaller learning rate/);
    assert.equal(nn.training.current, null);
    const next = await openModel('after-nan.nn.json', smallModel('after-nan'));
    assert.equal(await vscode.commands.executeCommand('nnLens.train', next.uri), 'done');
  });
});
