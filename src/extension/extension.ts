/**
 * The entry point VS Code activates, kept light. `onLanguage:jsonc` is the only activation event that catches a
 * `*.nn.json` opened from anywhere (VS Code has no event for a file name pattern), so NN Lens is also activated by
 * every other JSON-with-comments file (settings.json, tsconfig.json, ...). Until a model file, a visualizer or a
 * weight file appears, or a command or the API is used, activation only registers the commands (as forwarders),
 * the visualizer's serializer and two listeners: the rest (engine, analysis, views, training; dist/extension-main.js,
 * bundled apart) is loaded then. Nothing here imports it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NnLensApi } from './api';
import type { Loaded } from './main';

const VISUALIZER = 'nnLens.visualizer';
const WEIGHTS_EDITOR = 'nnLens.weightsEditor';

let loaded: Loaded | null = null;

const isModel = (uri: vscode.Uri | undefined): boolean => !!uri && uri.path.endsWith('.nn.json');

/** A tab that needs the extension: a model file, its visualizer, a weight file in NN Lens's editor. */
function needsUs(tab: vscode.Tab): boolean {
  const i = tab.input;
  if (i instanceof vscode.TabInputText) return isModel(i.uri);
  if (i instanceof vscode.TabInputTextDiff) return isModel(i.modified) || isModel(i.original);
  if (i instanceof vscode.TabInputWebview) return i.viewType === VISUALIZER || i.viewType.endsWith(`-${VISUALIZER}`);
  if (i instanceof vscode.TabInputCustom) return i.viewType === WEIGHTS_EDITOR;
  return false;
}

export function activate(context: vscode.ExtensionContext): NnLensApi {
  const light: vscode.Disposable[] = [];
  let failed: string | null = null;
  const load = (reason: string): NnLensApi => {
    if (!loaded) {
      if (failed) throw new Error(failed);
      try {
        const file = path.join(__dirname, 'extension-main.js');
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, from its own bundle
        const main = require(file) as typeof import('./main');
        // The forwarders give way to the real commands.
        for (const d of light.splice(0)) d.dispose();
        loaded = main.activateMain(context, reason);
      } catch (e) {
        failed = `NN Lens could not start: ${e instanceof Error ? e.message : String(e)}`;
        void vscode.window.showErrorMessage(failed);
        throw e;
      }
    }
    return loaded.api;
  };
  /** From an event: a failure has been shown to the user; the event source must not see it. */
  const loadQuietly = (reason: string): void => {
    try {
      load(reason);
    } catch {
      // shown by load()
    }
  };

  const contributed = (context.extension.packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? [];
  for (const { command } of contributed) {
    light.push(
      vscode.commands.registerCommand(command, (...args: unknown[]) => {
        load(`the command ${command}`);
        return vscode.commands.executeCommand(command, ...args);
      }),
    );
  }
  // A visualizer left open comes back after a reload through this serializer.
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VISUALIZER, {
      deserializeWebviewPanel: (panel, state: unknown) => load('a visualizer restored after a reload').panels.restore(panel, state),
    }),
    { dispose: () => light.forEach((d) => d.dispose()) },
  );

  const openTab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find(needsUs);
  const openModel = vscode.workspace.textDocuments.find((d) => isModel(d.uri));
  if (openModel) loadQuietly(path.basename(openModel.uri.path));
  else if (openTab) loadQuietly(`the tab ${openTab.label}`);
  else {
    light.push(
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (isModel(d.uri)) loadQuietly(path.basename(d.uri.path));
      }),
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        const tab = [...e.opened, ...e.changed].find(needsUs);
        if (tab) loadQuietly(`the tab ${tab.label}`);
      }),
    );
  }

  const api = (): NnLensApi => load('the NN Lens API');
  return {
    get loaded() {
      return loaded !== null;
    },
    get models() {
      return api().models;
    },
    get panels() {
      return api().panels;
    },
    get training() {
      return api().training;
    },
    get weightEditors() {
      return api().weightEditors;
    },
    get lastMessage() {
      return api().lastMessage;
    },
    settings: () => api().settings(),
    statusText: () => api().statusText(),
    downloadDir: () => api().downloadDir(),
    get logFile() {
      return api().logFile;
    },
  };
}

export function deactivate(): void {
  loaded?.deactivate();
}
