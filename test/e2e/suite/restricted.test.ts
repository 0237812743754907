/**
 * Restricted mode (run by test/e2e/run.mjs on a server whose workspace is left untrusted): shapes, diagnostics and
 * the visualizer of the untrained model work; training, evaluation, downloads, dataset folders and weight files
 * say that they need trust, and nothing is written.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, closeAll, openModel, smallModel, waitFor } from './helpers';

describe('restricted mode (untrusted workspace)', function () {
  this.timeout(60_000);
  afterEach(closeAll);

  it('runs untrusted', async () => {
    await api();
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still shows shapes and problems, and the visualizer of the untrained model', async () => {
    const nn = await api();
    const { uri } = await openModel('untrusted.nn.json', smallModel('untrusted').replace('"in": 16', '"in": 17'));
    const diags = await waitFor('a diagnostic', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'NN Lens');
      return d.length ? d : null;
    });
    assert.match(diags[0].message, /17/);
    const fixed = await openModel('untrusted-ok.nn.json', smallModel('untrusted-ok'));
    await vscode.commands.executeCommand('nnLens.openVisualizer', fixed.uri);
    const panel = nn.panels.get(fixed.uri);
    assert.ok(panel);
    await waitFor('init', () => panel.sent.includes('init'), 30_000);
    assert.equal(await vscode.commands.executeCommand('nnLens.inspectTensor', fixed.uri, 'W1.weight.shape'), 'torch.Size([16, 784])');
    panel.dispose();
  });

  for (const [command, what] of [
    ['nnLens.train', 'Training'],
    ['nnLens.evaluate', 'Evaluating on the test set'],
    ['nnLens.downloadMnist', 'Downloading MNIST'],
    ['nnLens.useDatasetFolder', 'Using a dataset folder'],
    ['nnLens.saveWeights', 'Saving weights'],
    ['nnLens.loadWeights', 'Loading weights'],
    ['nnLens.exportPyTorch', 'Exporting to PyTorch'],
  ] as const) {
    it(`${command} says it needs a trusted workspace`, async () => {
      const nn = await api();
      const { uri } = await openModel('untrusted-cmd.nn.json', smallModel('untrusted-cmd'));
      const arg = command === 'nnLens.useDatasetFolder' ? '/usr/share' : uri;
      assert.equal(await vscode.commands.executeCommand(command, arg, '/tmp/x.safetensors'), undefined);
      assert.equal(nn.lastMessage?.kind, 'error');
      assert.equal(nn.lastMessage?.text, `${what} needs a trusted workspace: NN Lens only shows shapes and untrained views in restricted mode.`);
      assert.equal(fs.existsSync(uri.fsPath.replace(/\.nn\.json$/, '.safetensors')), false, 'no weights written');
    });
  }
});
