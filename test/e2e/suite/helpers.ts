/** Shared helpers of the integration suites (bundled into each suite; not a suite itself). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NnLensApi } from '../../../src/extension/api';

export const EXTENSION_ID = 'nn-lens.nn-lens';

export async function api(): Promise<NnLensApi> {
  const ext = vscode.extensions.getExtension<NnLensApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed`);
  return ext.activate();
}

export function workspaceDir(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('the tests need a workspace folder');
  return f.uri.fsPath;
}

/** Writes a model file into the test workspace (a copy of examples/) and opens it in an editor. */
export async function openModel(name: string, text: string): Promise<{ uri: vscode.Uri; editor: vscode.TextEditor }> {
  const file = path.join(workspaceDir(), name);
  fs.writeFileSync(file, text);
  const uri = vscode.Uri.file(file);
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc);
  return { uri, editor };
}

export async function waitFor<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** A tiny model that trains in a second or two on the embedded data. */
export function smallModel(name: string, extra = ''): string {
  return `{
  "name": "${name}",
  "input": { "shape": [784], "dataset": "mnist" },
  "layers": [
    { "name": "W1", "type": "Linear", "in": 784, "out": 16 },
    { "type": "Sigmoid" },
    { "name": "W2", "type": "Linear", "in": 16, "out": 10 },
    { "type": "Softmax", "dim": 1 }
  ],
  "init": { "seed": 0 },
  "train": { "batchSize": 32, "epochs": 1, "loss": "cross_entropy", "optimizer": { "type": "sgd", "lr": 0.5 } }${extra}
}
`;
}

/**
 * The small model for a run that no machine finishes within a test: 10,000 epochs of 1,000 steps (batch 8 of the
 * 8,000 embedded images). A test that needs the run going (pause, edit, kill it) waits on its state and stops it;
 * a short run (20 epochs) ends within a second or two once the WebAssembly kernels train fast.
 */
export const LONG_EPOCHS = 10_000;
export function longModel(name: string): string {
  return smallModel(name).replace('"epochs": 1', `"epochs": ${LONG_EPOCHS}`).replace('"batchSize": 32', '"batchSize": 8');
}

/** Waits for a line of the NN Lens output log (the file VS Code writes the channel to) that matches `re`. */
export async function waitForLog(logFile: string, re: RegExp, timeoutMs = 10_000): Promise<string> {
  return waitFor(`a line matching ${re} in the NN Lens log`, () => {
    const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    return text.split('\n').find((l) => re.test(l));
  }, timeoutMs);
}

/** afterEach of the suites that train: stops a run a failed test left going, then closes every editor. */
export async function stopRunAndCloseAll(): Promise<void> {
  const nn = await api();
  const run = nn.training.current;
  if (run) {
    nn.training.stop();
    await run.end;
  }
  await closeAll();
}
