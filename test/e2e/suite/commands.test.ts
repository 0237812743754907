import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readSafetensorsFile } from '../../../src/data/safetensors';
import { api, closeAll, openModel, smallModel, waitFor, workspaceDir } from './helpers';

describe('commands', function () {
  this.timeout(60_000);
  afterEach(closeAll);

  it('New Model writes the notebook\'s 784-64-10 network into a new untitled model file', async () => {
    const nn = await api();
    const uri = await vscode.commands.executeCommand<vscode.Uri>('nnLens.newModel', 'untitled');
    assert.ok(uri, nn.lastMessage?.text);
    assert.equal(uri.scheme, 'untitled');
    assert.match(uri.path, /model(-\d+)?\.nn\.json$/);
    const doc = vscode.window.activeTextEditor?.document;
    assert.equal(doc?.uri.toString(), uri.toString());
    assert.equal(doc?.languageId, 'jsonc');
    const state = await waitFor('the analysis', () => nn.models.get(uri));
    assert.equal(state.analysis.diagnostics.length, 0, state.analysis.diagnostics.map((d) => d.message).join('; '));
    assert.deepEqual(state.analysis.summary.layers.map((l) => `${l.name}:${l.type}`), ['W1:Linear', '1:Sigmoid', 'W2:Linear', '3:Softmax']);
    assert.equal(state.analysis.summary.totalParams, 50_890);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('New Model never overwrites an existing file', async () => {
    const nn = await api();
    const file = path.join(workspaceDir(), 'exists.nn.json');
    fs.writeFileSync(file, '{"keep": true}');
    await vscode.commands.executeCommand('nnLens.newModel', vscode.Uri.file(file));
    assert.equal(fs.readFileSync(file, 'utf8'), '{"keep": true}');
    assert.match(nn.lastMessage?.text ?? '', /already exists: New Model never overwrites a file/);
  });

  it('Open Visualizer opens the panel beside the editor and answers the webview\'s ready with init', async () => {
    const nn = await api();
    const { uri } = await openModel('vis.nn.json', smallModel('vis'));
    await vscode.commands.executeCommand('nnLens.openVisualizer', uri);
    const panel = nn.panels.get(uri);
    assert.ok(panel, 'a panel for the model file');
    await waitFor('the init message', () => panel.sent.includes('init'), 30_000);
    await waitFor('test samples for the Predictions view', () => panel.sent.includes('samples'), 15_000);
    const samples = panel.state.samples;
    assert.ok(samples);
    assert.equal(samples.labels.length, 100);
    assert.equal(samples.images.byteLength, 100 * 784);
    assert.equal(samples.probs.byteLength, 100 * 10 * 4);
    assert.equal(panel.panel.viewColumn, vscode.ViewColumn.Two, 'beside the editor');
    const html = panel.panel.webview.html;
    const nonce = /script-src 'nonce-([A-Za-z0-9]+)'/.exec(html)?.[1];
    assert.ok(nonce && nonce.length >= 16, 'scripts only by a fresh nonce');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-[A-Za-z0-9]+'; style-src [^;"]+; img-src [^;"]+ data:; font-src [^;"]+">/);
    assert.ok(html.includes(`<script nonce="${nonce}" src=`), 'the one script carries the nonce');
    const resources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(resources.map((r) => r.replace(/^.*\/dist\//, 'dist/')), ['dist/webview.css', 'dist/webview.js'], 'only our own bundles');
    for (const r of resources) assert.match(r, /vscode-resource/, `${r} is a local webview resource`);
    assert.deepEqual(panel.panel.webview.options.localResourceRoots?.map((u) => u.path.split('/').pop()), ['dist', 'media']);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString(), 'the editor keeps the focus');
    panel.dispose();
  });

  it('Inspect Tensor prints what PyTorch prints', async () => {
    const nn = await api();
    const { uri } = await openModel('inspect.nn.json', smallModel('inspect'));
    await vscode.commands.executeCommand('nnLens.resetWeights', uri);
    const text = await vscode.commands.executeCommand<string>('nnLens.inspectTensor', uri, 'W1.weight[:2, :3]');
    assert.equal(text, 'tensor([[-0.0003,  0.0192, -0.0294],\n        [-0.0198, -0.0150, -0.0104]], grad_fn=<SliceBackward0>)');
    assert.equal(await vscode.commands.executeCommand('nnLens.inspectTensor', uri, 'W1.weight.shape'), 'torch.Size([16, 784])');
    assert.equal(await vscode.commands.executeCommand('nnLens.inspectTensor', uri, 'W3.weight'), undefined);
    assert.equal(nn.lastMessage?.kind, 'error');
    assert.match(nn.lastMessage?.text ?? '', /^W3\.weight: .*W3/);
  });

  it('Save Weights writes <model>.safetensors atomically; Load Weights reads it back and reports mismatches', async () => {
    const nn = await api();
    const { uri } = await openModel('saveload.nn.json', smallModel('saveload'));
    const file = await vscode.commands.executeCommand<string>('nnLens.saveWeights', uri);
    assert.equal(file, uri.fsPath.replace(/\.nn\.json$/, '.safetensors'));
    const saved = readSafetensorsFile(file);
    assert.deepEqual([...saved.keys()], ['W1.weight', 'W1.bias', 'W2.weight', 'W2.bias']);
    assert.deepEqual(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('.tmp-')), [], 'no temp file left');
    // A wider model loads what fits (W2) and names what does not.
    const other = await openModel('wider.nn.json', smallModel('wider').replace('"out": 16', '"out": 32').replace('"in": 16', '"in": 32'));
    const r = await vscode.commands.executeCommand<{ loaded: string[]; mismatched: string[] }>('nnLens.loadWeights', other.uri, file);
    assert.deepEqual(r.loaded, ['W2.bias']);
    assert.equal(nn.lastMessage?.kind, 'warning');
    assert.match(nn.lastMessage?.text ?? '', /shape mismatch for W1\.weight: file \[16, 784\], model \[32, 784\]/);
  });

  it('Reset Weights goes back to the file\'s init', async () => {
    const nn = await api();
    const { uri } = await openModel('reset.nn.json', smallModel('reset'));
    const state = nn.models.get(uri);
    assert.ok(state);
    const init = new Float32Array(state.weights()[0].data).slice(0, 10);
    state.setWeights(state.weights().map((w) => ({ ...w, data: new Float32Array(w.data.byteLength / 4).fill(0.5).buffer })));
    assert.equal(state.trained, true);
    assert.equal(await vscode.commands.executeCommand('nnLens.resetWeights', uri), true);
    assert.deepEqual([...new Float32Array(state.weights()[0].data).slice(0, 10)], [...init]);
    assert.equal(state.trained, false);
  });

  it('Evaluate on Test Set reports the accuracy of the current weights on the 2,000 test images', async () => {
    const nn = await api();
    const { uri } = await openModel('eval.nn.json', smallModel('eval'));
    const r = await vscode.commands.executeCommand<{ accuracy: number; count: number; confusion: number[][] }>('nnLens.evaluate', uri);
    assert.ok(r, nn.lastMessage?.text);
    assert.equal(r.count, 2000);
    assert.equal(r.confusion.flat().reduce((a, b) => a + b, 0), 2000);
    assert.ok(r.accuracy >= 0 && r.accuracy < 0.3, `an untrained model guesses (${r.accuracy})`);
    assert.match(nn.lastMessage?.text ?? '', /test accuracy \d+\.\d\d% \(loss \d+\.\d{4}\) on 2000 images/);
  });

  it('Export to PyTorch writes a module with the same layer names and the weights beside it', async () => {
    const nn = await api();
    const { uri } = await openModel('export-me.nn.json', smallModel('export-me'));
    const files = await vscode.commands.executeCommand<string[]>('nnLens.exportPyTorch', uri);
    assert.ok(files, nn.lastMessage?.text);
    assert.deepEqual(files.map((f) => path.basename(f)), ['export_me.py', 'export_me.safetensors']);
    const py = fs.readFileSync(files[0], 'utf8');
    assert.match(py, /\("W1", nn\.Linear\(784, 16\)\),\n\s+\("1", nn\.Sigmoid\(\)\),\n\s+\("W2", nn\.Linear\(16, 10\)\),\n\s+\("3", nn\.Softmax\(dim=1\)\),/);
    assert.match(py, /def load_model\(path=None\):/);
    assert.deepEqual([...readSafetensorsFile(files[1]).keys()], ['W1.weight', 'W1.bias', 'W2.weight', 'W2.bias']);
  });

  it('Use Dataset Folder refuses a folder without the MNIST files, naming the missing one', async () => {
    const nn = await api();
    const dir = path.join(workspaceDir(), 'not-data');
    fs.mkdirSync(dir, { recursive: true });
    assert.equal(await vscode.commands.executeCommand('nnLens.useDatasetFolder', dir), undefined);
    assert.match(nn.lastMessage?.text ?? '', /missing train-images-idx3-ubyte \(or train-images-idx3-ubyte\.gz\)/);
    assert.equal(vscode.workspace.getConfiguration('nnLens').get('dataFolder'), '');
  });

  it('Use Dataset Folder accepts a folder with the four IDX files', async () => {
    const nn = await api();
    const dir = path.join(workspaceDir(), 'data');
    fs.mkdirSync(dir, { recursive: true });
    const media = path.join(vscode.extensions.getExtension('nn-lens.nn-lens')?.extensionPath ?? '', 'media', 'mnist');
    for (const f of fs.readdirSync(media)) fs.copyFileSync(path.join(media, f), path.join(dir, f));
    assert.equal(await vscode.commands.executeCommand('nnLens.useDatasetFolder', dir), dir);
    assert.equal(nn.settings().dataFolder, dir);
    await vscode.workspace.getConfiguration('nnLens').update('dataFolder', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('Download Full MNIST reports a failing mirror clearly and leaves no partial file', async () => {
    const nn = await api();
    const server = http.createServer((_req, res) => {
      res.statusCode = 404;
      res.end('no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const cfg = vscode.workspace.getConfiguration('nnLens');
    await cfg.update('downloadMirrors', [`http://127.0.0.1:${port}/mnist/`], vscode.ConfigurationTarget.Global);
    try {
      await waitFor('the setting', () => nn.settings().downloadMirrors[0].includes(String(port)));
      assert.equal(await vscode.commands.executeCommand('nnLens.downloadMnist'), undefined);
      assert.equal(nn.lastMessage?.kind, 'error');
      assert.match(nn.lastMessage?.text ?? '', /404/);
      assert.match(nn.lastMessage?.text ?? '', /train-images-idx3-ubyte\.gz/);
      const dir = nn.downloadDir();
      const left = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
      assert.deepEqual(left, [], 'nothing half-downloaded in the cache');
    } finally {
      await cfg.update('downloadMirrors', undefined, vscode.ConfigurationTarget.Global);
      server.close();
    }
  });

  it('commands that need a model file say so when none is open', async () => {
    const nn = await api();
    await vscode.commands.executeCommand('nnLens.train');
    assert.equal(nn.lastMessage?.text, 'open a *.nn.json model file first (or run "NN Lens: New Model")');
  });

  it('Train refuses a model file with errors, naming how many', async () => {
    const nn = await api();
    const { uri } = await openModel('bad-train.nn.json', smallModel('bad').replace('"in": 16', '"in": 17'));
    assert.equal(await vscode.commands.executeCommand('nnLens.train', uri), undefined);
    assert.match(nn.lastMessage?.text ?? '', /^bad-train\.nn\.json has 1 error: fix it before training/);
  });
});
