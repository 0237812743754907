/**
 * The weight-file editor in the real extension host: a .safetensors file opens in it by default (the page loads,
 * says ready, gets the tensor list and asks for the first tensor, which the host answers), "Open With..." the
 * text editor still works, a malformed file gets the error page, and a matching model file beside the weights
 * can be loaded from the page into the visualizer.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as torch from '../../../src/engine';
import { writeSafetensorsFile } from '../../../src/data/safetensors';
import { api, closeAll, smallModel, waitFor, workspaceDir } from './helpers';

const VIEW_TYPE = 'nnLens.weightsEditor';

function activeTabInput(): unknown {
  return vscode.window.tabGroups.activeTabGroup.activeTab?.input;
}

describe('weight-file editor', function () {
  this.timeout(60_000);
  afterEach(closeAll);

  it('is the default editor of .safetensors: the page loads, lists the tensors and shows the first one', async () => {
    const nn = await api();
    const file = path.join(workspaceDir(), 'e2e-weights.safetensors');
    torch.manualSeed(0);
    writeSafetensorsFile(file, [['W1.weight', torch.randn([16, 784])], ['W1.bias', torch.randn([16])]]);
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('vscode.open', uri);
    const input = await waitFor('the custom editor tab', () => {
      const i = activeTabInput();
      return i instanceof vscode.TabInputCustom ? i : undefined;
    });
    assert.equal(input.viewType, VIEW_TYPE);
    assert.equal(input.uri.toString(), uri.toString());
    const editor = await waitFor('the page to show the first tensor', () => nn.weightEditors.list().find((e) => e.uri === uri.toString() && e.sent.includes('view')), 30_000);
    assert.equal(editor.ready, true);
    assert.equal(editor.error, null);
    assert.deepEqual(editor.sent.slice(0, 2), ['file', 'models'], 'after ready: the tensor list, then the model files beside it');
  });

  it('"Open With..." the text editor still opens the file', async () => {
    const file = path.join(workspaceDir(), 'e2e-text.safetensors');
    writeSafetensorsFile(file, [['x', torch.ones([2])]]);
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
    // The built-in text editor: for a binary file it offers to open it anyway (or a hex editor, when installed).
    const input = await waitFor('the text editor tab', () => {
      const i = activeTabInput();
      return i instanceof vscode.TabInputText ? i : undefined;
    });
    assert.equal(input.uri.toString(), uri.toString());
    await assert.rejects(Promise.resolve(vscode.workspace.openTextDocument(uri)), /binary/, 'VS Code itself sees the file as binary');
  });

  it('a malformed file shows the error page naming the problem', async () => {
    const nn = await api();
    const file = path.join(workspaceDir(), 'e2e-bad.safetensors');
    const header = Buffer.from('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}');
    const pre = Buffer.alloc(8);
    pre.writeBigUInt64LE(BigInt(header.length));
    fs.writeFileSync(file, Buffer.concat([pre, header, Buffer.alloc(8)]));
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('vscode.open', uri);
    const editor = await waitFor('the error page', () => nn.weightEditors.list().find((e) => e.uri === uri.toString() && e.sent.includes('error')), 30_000);
    assert.equal(editor.ready, true, 'the page loaded and asked');
    assert.equal(editor.error, `${file}: tensor "w": data_offsets [0, 16] run past the end of the data (8 bytes): the file is truncated`);
    assert.deepEqual(editor.sent, ['error']);
    assert.ok(activeTabInput() instanceof vscode.TabInputCustom, 'still the weight-file editor, not a crash');
  });

  it('loads weights into the matching model file beside them and opens its visualizer', async () => {
    const nn = await api();
    const dir = workspaceDir();
    const model = path.join(dir, 'e2e-load.nn.json');
    fs.writeFileSync(model, smallModel('e2e-load'));
    const file = path.join(dir, 'e2e-load.safetensors');
    torch.manualSeed(7);
    const w1 = torch.randn([16, 784]);
    writeSafetensorsFile(file, [['W1.weight', w1], ['W1.bias', torch.zeros([16])], ['W2.weight', torch.randn([10, 16])], ['W2.bias', torch.zeros([10])]]);
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('vscode.open', uri);
    await waitFor('the model offer', () => nn.weightEditors.list().find((e) => e.uri === uri.toString() && e.sent.includes('models')), 30_000);
    const modelUri = vscode.Uri.file(model);
    // What the page's "Load into visualizer" button sends (a webview cannot be clicked from here).
    await nn.weightEditors.deliver(uri.toString(), { type: 'load', uri: modelUri.toString() });
    const editor = nn.weightEditors.list().find((e) => e.uri === uri.toString());
    assert.ok(editor?.sent.includes('loaded'), 'the page is told');
    const state = nn.models.get(modelUri);
    assert.ok(state, 'the model file is open');
    assert.deepEqual(Array.from(state.weightValues('W1.weight') ?? []), Array.from(w1.toArray() as Float32Array), 'the model holds the file\'s weights');
    const panel = nn.panels.get(modelUri);
    assert.ok(panel, 'its visualizer is open');
    await waitFor('the visualizer to get its state', () => panel.sent.includes('init'), 30_000);
    // A model file that was not offered is refused (the host never trusts the page).
    await nn.weightEditors.deliver(uri.toString(), { type: 'load', uri: vscode.Uri.file('/etc/passwd').toString() });
    assert.equal(nn.weightEditors.list().find((e) => e.uri === uri.toString())?.sent.filter((t) => t === 'loaded').length, 1);
  });
});
