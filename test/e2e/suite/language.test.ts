import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { api, closeAll, openModel, smallModel, waitFor } from './helpers';

const problems = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'NN Lens');

describe('language features for *.nn.json', () => {
  afterEach(closeAll);

  it('opens a model file as JSON with comments', async () => {
    const { editor } = await openModel('lang.nn.json', smallModel('lang'));
    assert.equal(editor.document.languageId, 'jsonc');
  });

  it('shows no problem for a valid model and a diagnostic at the exact range as soon as it breaks', async () => {
    const { uri, editor } = await openModel('broken.nn.json', smallModel('broken'));
    await api();
    await waitFor('the analysis', async () => true);
    assert.deepEqual(problems(uri).map((d) => d.message), []);
    // Type a wrong size for W2's input, as a user would.
    const text = editor.document.getText();
    const at = text.indexOf('"in": 16');
    await editor.edit((e) => e.replace(new vscode.Range(editor.document.positionAt(at + 6), editor.document.positionAt(at + 8)), '32'));
    const diags = await waitFor('a diagnostic', () => (problems(uri).length ? problems(uri) : null));
    const d = diags[0];
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /32/);
    assert.match(d.message, /16/);
    assert.equal(editor.document.getText(d.range), '32', 'the diagnostic covers the wrong value');
  });

  it('applies a quick fix as one undoable edit', async () => {
    const { uri, editor } = await openModel('fixme.nn.json', smallModel('fixme').replace('"in": 16', '"in": 32'));
    const diags = await waitFor('a diagnostic', () => (problems(uri).length ? problems(uri) : null));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diags[0].range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.kind?.value === 'quickfix' && a.edit);
    assert.ok(fix, `a quick fix is offered (got ${actions.map((a) => a.title).join(', ') || 'none'})`);
    assert.ok(fix.edit);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(editor.document.getText(), /"name": "W2", "type": "Linear", "in": 16/);
    await waitFor('the problem to go', () => problems(uri).length === 0);
    await vscode.commands.executeCommand('undo');
    assert.match(editor.document.getText(), /"in": 32/, 'undo brings the old text back');
  });

  it('hovers a layer with its shapes, parameters and init bound', async () => {
    const { uri, editor } = await openModel('hover.nn.json', smallModel('hover'));
    const pos = editor.document.positionAt(editor.document.getText().indexOf('"W1"') + 2);
    const hovers = await waitFor('a hover', async () => true).then(() => vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*Linear W1\*\* · `nn\.Linear\(in_features=784, out_features=16, bias=True\)`/);
    assert.match(text, /input `\[B, 784\]` → output `\[B, 16\]`/);
    assert.match(text, /\| `W1\.weight` \| `torch\.Size\(\[16, 784\]\)` \| 12,544 \|/);
    assert.match(text, /U\(−0\.03571, 0\.03571\)/);
  });

  it('puts shapes and parameter counts in CodeLens above each layer, and Train · Visualize · Reset above the file', async () => {
    const { uri } = await openModel('lens.nn.json', smallModel('lens'));
    const lenses = await waitFor('code lenses', async () => true).then(() => vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100));
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.includes('$(play) Train'), titles.join(' | '));
    assert.ok(titles.includes('$(graph) Visualize'));
    assert.ok(titles.includes('$(refresh) Reset'));
    assert.ok(titles.includes('[B, 784] → [B, 16] · 12,560 params'), titles.join(' | '));
    assert.ok(titles.includes('[B, 16] → [B, 10] · 170 params'), titles.join(' | '));
  });

  it('refuses a model larger than nnLens.maxParameters, as soon as the setting changes', async () => {
    const nn = await api();
    const { uri } = await openModel('big.nn.json', smallModel('big'));
    await waitFor('the analysis', () => nn.models.get(uri));
    assert.deepEqual(problems(uri).map((d) => d.message), []);
    const cfg = vscode.workspace.getConfiguration('nnLens');
    await cfg.update('maxParameters', 10_000, vscode.ConfigurationTarget.Global);
    try {
      const d = await waitFor('the size diagnostic', () => problems(uri).find((p) => p.code === 'too-many-parameters'));
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      assert.match(d.message, /12,730/);
      assert.match(d.message, /10,000/);
      assert.equal(nn.models.get(uri)?.spec, null, 'nothing is built');
    } finally {
      await cfg.update('maxParameters', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor('the problem to go', () => problems(uri).length === 0);
  });
});
