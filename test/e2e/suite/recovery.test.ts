import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { HostToWebview } from '../../../src/protocol';
import { api, openModel, smallModel, waitFor, waitForLog, stopRunAndCloseAll } from './helpers';

/** One message posted to the page, as far as the test needs it, and whether VS Code delivered it. */
interface Posted {
  type: HostToWebview['type'];
  runId?: number;
  /** Weights: the step they are from. */
  step?: number;
  status?: string;
  points?: number;
  /** The step of the latest progress point. */
  lastStep?: number;
  delivered?: boolean;
}

function summary(m: HostToWebview): Posted {
  switch (m.type) {
    case 'init':
      return { type: m.type, runId: m.runId, step: m.step, status: m.training.status, points: m.training.points.length, lastStep: m.training.points.at(-1)?.step };
    case 'weights':
      return { type: m.type, runId: m.runId, step: m.step };
    case 'training':
      return { type: m.type, runId: m.runId, status: m.training.status, points: m.training.points.length, lastStep: m.training.points.at(-1)?.step };
    default:
      return { type: m.type };
  }
}

/** The messages so far, for a failure's message: `init(run 3, running, step 812, delivered)`... */
function listPosted(posted: Posted[]): string {
  const one = (p: Posted) => {
    const parts = [p.runId === undefined ? '' : `run ${p.runId}`, p.status ?? '', p.step === undefined ? '' : `step ${p.step}`, p.lastStep === undefined ? '' : `last point ${p.lastStep}`];
    return `${p.type}(${[...parts.filter(Boolean), p.delivered === undefined ? 'pending' : p.delivered ? 'delivered' : 'dropped'].join(', ')})`;
  };
  return posted.length > 12 ? `${posted.slice(0, 4).map(one).join(' ')} ... ${posted.slice(-8).map(one).join(' ')}` : posted.map(one).join(' ') || 'nothing posted';
}

/**
 * The visualizer's serializer path in the live extension host: VS Code hands over a fresh panel with the state the
 * page saved (as after a reload, or when it moves a panel) while a model trains. The panel must come back with the
 * run and keep getting its updates. (The UI tests close, reopen and reload it as a person would.)
 */
describe('visualizer recovery during training', function () {
  this.timeout(120_000);
  // A failed test must not leave a run going for the next one.
  afterEach(stopRunAndCloseAll);

  it('a panel restored by the serializer during training replays the run and keeps updating', async () => {
    const nn = await api();
    // A run that outlasts the test whatever the machine (10,000 epochs of 1,000 steps; the test stops it): with 20
    // epochs a fast machine finished the run before the page was ready, and then no update can follow `init`.
    const { uri } = await openModel('restored.nn.json', smallModel('restored').replace('"epochs": 1', '"epochs": 10000').replace('"batchSize": 32', '"batchSize": 8'));
    const state = nn.models.get(uri);
    assert.ok(state);
    const run = vscode.commands.executeCommand('nnLens.train', uri);
    await waitFor('training', () => state.training.status === 'running' && state.step > 100, 30_000);

    // What reaches the page, as the page gets it: each message posted to this webview, and whether VS Code
    // delivered it (postMessage resolved true).
    const panel = vscode.window.createWebviewPanel('nnLens.visualizer', 'NN Lens: restored.nn.json', vscode.ViewColumn.Beside, { enableScripts: true });
    const posted: Posted[] = [];
    const post = panel.webview.postMessage.bind(panel.webview);
    panel.webview.postMessage = (m: HostToWebview) => {
      const p = summary(m);
      posted.push(p);
      const sent = post(m);
      sent.then((ok) => (p.delivered = ok), () => (p.delivered = false));
      return sent;
    };
    // The state a page saves (webview/host.ts PersistedState): its model summary holds the file's URI.
    await nn.panels.restore(panel, { v: 1, collapsed: {}, selectedLayer: null, showGrad: false, sampleIndex: 0, inspector: { expression: '', history: [] }, model: { uri: uri.toString() } });
    const v = nn.panels.get(uri);
    assert.ok(v && v.panel === panel, 'the panel is the model file\'s visualizer');

    // The page loads, says `ready`, and gets `init` with the run so far: running, its curves and the weights of a
    // step past the 100 the test waited for.
    // (A page that does not start within 12 s is loaded again by the panel, twice at most: hence 45 s.)
    const init = await waitFor('init delivered to the page', () => posted.find((p) => p.type === 'init' && p.delivered), 45_000).catch((e: Error) => {
      throw new Error(`${e.message}; posted: ${listPosted(posted)}; the page was loaded again ${v.reloads} times`);
    });
    if (v.reloads > 0) console.log(`      the restored page did not start at first: loaded again ${v.reloads} time(s)`);
    assert.ok(v.inbox.accepted >= 1, 'the page said ready');
    assert.equal(init.runId, state.training.runId, 'init carries the run');
    assert.equal(init.status, 'running', `the run goes on while the page loads (${listPosted(posted)})`);
    assert.ok((init.step ?? 0) > 100, `init has the weights of the current step (${init.step})`);
    assert.ok((init.points ?? 0) > 0, 'the curves so far went with init');

    // Then the page keeps getting the run: weights of newer steps and newer curves, delivered, again and again (one
    // update would not show that the updates go on: a stuck outbox lets one through).
    const newer = (type: 'weights' | 'training', step: (p: Posted) => number | undefined, since: number) =>
      new Set(posted.slice(posted.indexOf(init) + 1).filter((p) => p.type === type && p.delivered && p.runId === init.runId && (step(p) ?? 0) > since).map(step)).size;
    await waitFor('three newer weights and three newer training states after init', () =>
      newer('weights', (p) => p.step, init.step ?? 0) >= 3 && newer('training', (p) => (p.status === 'running' ? p.lastStep : undefined), init.lastStep ?? 0) >= 3, 30_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; posted: ${listPosted(posted)}; held: ${v.outbox.held.join(', ') || 'nothing'}`);
    });
    assert.equal(state.training.status, 'running');
    nn.training.stop();
    assert.equal(await run, 'cancelled');
  });

  it('a restored panel without a model file is closed and logged', async () => {
    const nn = await api();
    const panel = vscode.window.createWebviewPanel('nnLens.visualizer', 'NN Lens: ?', vscode.ViewColumn.Beside, { enableScripts: true });
    let disposed = false;
    panel.onDidDispose(() => (disposed = true));
    await nn.panels.restore(panel, { v: 1, model: { uri: 'file:///nowhere/readme.txt' } });
    assert.equal(disposed, true);
    await waitForLog(nn.logFile, /\[warning\] visualizer: cannot restore a panel without its model file \(state: \{"v":1,"model":\{"uri":"file:\/\/\/nowhere\/readme\.txt"\}\}\)/);
  });
});
