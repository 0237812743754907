import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './helpers';

describe('activation', () => {
  it('activates in a workspace with *.nn.json files and registers every contributed command', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    await api();
    assert.equal(ext.isActive, true);
    const contributed = (ext.packageJSON.contributes.commands as { command: string; category: string }[]);
    assert.equal(contributed.length, 13);
    for (const c of contributed) assert.equal(c.category, 'NN Lens', `${c.command} is under "NN Lens"`);
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((c) => !all.has(c));
    assert.deepEqual(missing, [], 'every contributed command is registered');
  });
});
