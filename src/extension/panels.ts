/** One visualizer panel per model file, opened beside the editor and restored after a reload (serializer). */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelRegistry } from './models';
import { VIEW_TYPE, VisualizerPanel, type PanelHost } from './panel';
import { isModelUri } from './util';

/** Where a restored panel's model file is: the webview's saved state holds its URI (`uri` or `model.uri`). */
export function uriFromState(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const s = state as { uri?: unknown; model?: { uri?: unknown } };
  if (typeof s.uri === 'string') return s.uri;
  if (typeof s.model === 'object' && s.model !== null && typeof s.model.uri === 'string') return s.model.uri;
  return undefined;
}

export class Panels implements vscode.Disposable {
  private readonly open = new Map<string, VisualizerPanel>();

  constructor(
    private readonly models: ModelRegistry,
    private readonly host: PanelHost,
  ) {}

  /**
   * A panel VS Code restored after a reload (the serializer, registered by extension.ts, hands it over): its model
   * file is in the webview's saved state. Without one, or when the file is gone, the panel is closed and logged.
   */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const raw = uriFromState(state);
    let uri: vscode.Uri | undefined;
    try {
      uri = raw ? vscode.Uri.parse(raw, true) : undefined;
    } catch {
      uri = undefined;
    }
    if (!isModelUri(uri)) {
      this.host.log.warn(`visualizer: cannot restore a panel without its model file (state: ${JSON.stringify(state)?.slice(0, 200)})`);
      panel.dispose();
      return;
    }
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      this.attach(panel, uri, doc);
    } catch (e) {
      this.host.log.warn(`visualizer: ${uri.fsPath} is gone: ${e instanceof Error ? e.message : String(e)}`);
      panel.dispose();
    }
  }

  get(uri: vscode.Uri): VisualizerPanel | undefined {
    return this.open.get(uri.toString());
  }

  all(): VisualizerPanel[] {
    return [...this.open.values()];
  }

  /** The panel of a model file, created beside the editor if needed, and shown. */
  async show(uri: vscode.Uri, preserveFocus = true): Promise<VisualizerPanel> {
    const existing = this.open.get(uri.toString());
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      return existing;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, `NN Lens: ${path.basename(uri.path)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.host.extensionUri, 'dist'), vscode.Uri.joinPath(this.host.extensionUri, 'media')],
    });
    return this.attach(panel, uri, doc);
  }

  private attach(panel: vscode.WebviewPanel, uri: vscode.Uri, doc: vscode.TextDocument): VisualizerPanel {
    panel.title = `NN Lens: ${path.basename(uri.path)}`;
    const state = this.models.ensure(doc);
    const v = new VisualizerPanel(panel, uri, state, this.host);
    const key = uri.toString();
    this.open.set(key, v);
    v.onDidDispose(() => {
      if (this.open.get(key) === v) this.open.delete(key);
    });
    return v;
  }

  dispose(): void {
    for (const p of this.open.values()) p.dispose();
  }
}
