import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { api, closeAll, openModel, smallModel, waitFor, waitForLog } from './helpers';

/**
 * The visualizer's serializer path in the live extension host: VS Code hands over a fresh panel with the state the
 * page saved (as after a reload, or when it moves a panel) while a model trains. The panel must come back with the
 * run and keep getting its updates. (The UI tests close, reopen and reload it as a person would.)
 */
describe('visualizer recovery during training', function () {
  this.timeout(120_000);
  afterEach(async () => {
    const nn = await api();
    const run = nn.training.current;
    if (run) {
      nn.training.stop();
      await run.end;
    }
    await closeAll();
  });

  it('a panel restored by the serializer during training replays the run and keeps updating', async () => {
    const nn = await api();
    const { uri } = await openModel('restored.nn.json', smallModel('restored').replace('"epochs": 1', '"epochs": 20').replace('"batchSize": 32', '"batchSize": 8'));
    const state = nn.models.get(uri);
    assert.ok(state);
    const run = vscode.commands.executeCommand('nnLens.train', uri);
    await waitFor('training', () => state.training.status === 'running' && state.step > 100, 30_000);

    // The state a page saves (webview/host.ts PersistedState): its model summary holds the file's URI.
    const panel = vscode.window.createWebviewPanel('nnLens.visualizer', 'NN Lens: restored.nn.json', vscode.ViewColumn.Beside, { enableScripts: true });
    await nn.panels.restore(panel, { v: 1, collapsed: {}, selectedLayer: null, showGrad: false, sampleIndex: 0, inspector: { expression: '', history: [] }, model: { uri: uri.toString() } });
    const v = nn.panels.get(uri);
    assert.ok(v && v.panel === panel, 'the panel is the model file\'s visualizer');
    // The page loads, says `ready`, and gets `init` with the run so far.
    await waitFor('init', () => v.sent.includes('init'), 30_000);
    const stepAtInit = state.step;
    assert.ok(v.inbox.accepted >= 1, 'the page said ready');
    assert.ok(state.training.points.length > 0, 'the curves so far went with init');
    const atInit = v.sent.length;
    await waitFor('updates after init', () => v.sent.slice(atInit).includes('weights') && v.sent.slice(atInit).includes('training'), 15_000);
    assert.ok(state.step > stepAtInit, 'the run goes on');
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
