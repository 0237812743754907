import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, EXTENSION_ID, waitFor, workspaceDir } from './helpers';

/** Whether the heavy bundle (engine, analysis, views, training) is in this extension host. */
const mainLoaded = (): boolean => Object.keys(require.cache).some((k) => k.endsWith(`${path.sep}dist${path.sep}extension-main.js`));

// The first suite to run (files run in name order): the workspace holds model files, none is open yet.
describe('activation', () => {
  it('activates light in a workspace with *.nn.json files: commands and listeners only, no engine', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    const nn = await api();
    assert.equal(ext.isActive, true, 'workspaceContains:**/*.nn.json activated it');
    assert.deepEqual(ext.packageJSON.activationEvents, ['workspaceContains:**/*.nn.json', 'onLanguage:jsonc', 'onWebviewPanel:nnLens.visualizer', 'onCustomEditor:nnLens.weightsEditor']);
    assert.equal(nn.loaded, false, 'no model file, visualizer or weight file yet');
    assert.equal(mainLoaded(), false, 'dist/extension-main.js is not loaded');
    const contributed = ext.packageJSON.contributes.commands as { command: string; category: string }[];
    assert.equal(contributed.length, 13);
    for (const c of contributed) assert.equal(c.category, 'NN Lens', `${c.command} is under "NN Lens"`);
    const all = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.map((c) => c.command).filter((c) => !all.has(c)), [], 'every contributed command is registered');
  });

  it('stays light when another JSON-with-comments file opens (onLanguage:jsonc)', async () => {
    const nn = await api();
    const file = path.join(workspaceDir(), 'tsconfig.json');
    fs.writeFileSync(file, '{\n  // not a model\n  "compilerOptions": { "strict": true }\n}\n');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'jsonc');
    await new Promise((r) => setTimeout(r, 300)); // tab and document events have arrived
    assert.equal(nn.loaded, false);
    assert.equal(mainLoaded(), false);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(file);
  });

  it('loads the rest on a command, which then runs: Open Visualizer on a model file', async () => {
    const nn = await api();
    const uri = vscode.Uri.file(path.join(workspaceDir(), 'mnist-mlp.nn.json'));
    const opened = await vscode.commands.executeCommand<vscode.Uri>('nnLens.openVisualizer', uri);
    assert.equal(opened?.toString(), uri.toString(), 'the command ran after loading');
    assert.equal(mainLoaded(), true);
    assert.equal(nn.loaded, true);
    assert.ok(nn.panels.get(uri), 'the visualizer is open');
    // The first line of the NN Lens log names what needed the extension.
    const line = await waitFor('the activation line in the NN Lens log', () => {
      const text = fs.existsSync(nn.logFile) ? fs.readFileSync(nn.logFile, 'utf8') : '';
      return /NN Lens \d+\.\d+\.\d+ active for the command nnLens\.openVisualizer \(workspace trusted\)/.exec(text)?.[0];
    });
    assert.ok(line);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
