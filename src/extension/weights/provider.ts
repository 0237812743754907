/**
 * The read-only custom editor for `.safetensors` and `.npy` files (package.json `customEditors`, priority
 * "default"; "Reopen Editor With..." gives the text or hex editor back). Each editor is a webview running
 * dist/weights-editor.js: it announces `ready`, gets the tensor list (or the error page), asks for a tensor or a
 * slice with `select`, and may ask to load the weights into a matching model file's visualizer. Every message from
 * the page is validated first; a bad one is logged and ignored.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assertNever, type TensorStats, type WeightsHostToWebview, type WeightsWebviewToHost } from '../../protocol';
import type { LoadReport } from '../weights-file';
import { Cancelled, Job } from './gather';
import { IndexError } from './view';
import { checkWeightsMessage } from './messages';
import { resourceRoots, weightsHtml } from './html';
import { WeightsDocument } from './document';

export const WEIGHTS_VIEW_TYPE = 'nnLens.weightsEditor';

/** What the integration tests read of an open editor. */
export interface WeightsEditorInfo {
  uri: string;
  error: string | null;
  /** Types of the messages posted to the page, in order (the latest few hundred). */
  sent: WeightsHostToWebview['type'][];
  /** True once the page said `ready`. */
  ready: boolean;
}

class WeightsEditor {
  ready = false;
  readonly sent: WeightsHostToWebview['type'][] = [];
  private job: Job | null = null;
  private disposed = false;

  constructor(
    readonly doc: WeightsDocument,
    readonly panel: vscode.WebviewPanel,
    private readonly log: vscode.LogOutputChannel,
    /** Statistics of a whole tensor computed while showing it: every editor of the file gets them. */
    private readonly onStats: (name: string, stats: TensorStats) => void,
  ) {}

  post(m: WeightsHostToWebview): void {
    if (this.disposed) return;
    this.sent.push(m.type);
    if (this.sent.length > 300) this.sent.splice(0, this.sent.length - 300);
    void this.panel.webview.postMessage(m).then(undefined, (e: unknown) => this.log.warn(`weights editor: posting ${m.type} failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Shows `name[index]`; a newer request cancels this one. */
  select(requestId: number, name: string, index: string): void {
    this.job?.cancel();
    const session = this.doc.session;
    if (!session) return;
    const job = new Job((done, total) => this.post({ type: 'viewProgress', requestId, fraction: total ? done / total : 1 }));
    this.job = job;
    session
      .view(name, index, job, this.onStats)
      .then((r) => {
        if (!job.cancelled) this.post({ type: 'view', requestId, view: r.view });
      })
      .catch((e: unknown) => {
        if (e instanceof Cancelled) return;
        const message = e instanceof Error ? e.message : String(e);
        if (!(e instanceof IndexError)) this.log.warn(`weights editor: ${name}${index}: ${message}`);
        this.post({ type: 'viewError', requestId, name, index, message });
      })
      .finally(() => {
        if (this.job === job) this.job = null;
      });
  }

  info(): WeightsEditorInfo {
    return { uri: this.doc.uri.toString(), error: this.doc.error, sent: this.sent.slice(), ready: this.ready };
  }

  dispose(): void {
    this.disposed = true;
    this.job?.cancel();
  }
}

export class WeightsEditorProvider implements vscode.CustomReadonlyEditorProvider<WeightsDocument>, vscode.Disposable {
  private readonly editors = new Set<WeightsEditor>();
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    this.subs.push(
      vscode.window.registerCustomEditorProvider(WEIGHTS_VIEW_TYPE, this, { supportsMultipleEditorsPerDocument: true }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        for (const e of this.editors) if (e.ready && e.doc.session) e.post({ type: 'file', file: e.doc.session.info(true) });
      }),
    );
  }

  /** The open editors (for the integration tests). */
  list(): WeightsEditorInfo[] {
    return [...this.editors].map((e) => e.info());
  }

  /**
   * Delivers `message` as if the page of the editor showing `uri` had sent it (checked the same way); for the
   * integration tests, which cannot click inside a webview. Resolves when it is handled.
   */
  async deliver(uri: string, message: unknown): Promise<void> {
    const editor = [...this.editors].find((e) => e.doc.uri.toString() === uri);
    if (!editor) throw new Error(`no weight-file editor shows ${uri}`);
    await this.receive(editor, message);
  }

  openCustomDocument(uri: vscode.Uri): WeightsDocument {
    return new WeightsDocument(uri, { log: this.log, broadcast: (doc, m) => this.broadcast(doc, m) });
  }

  private broadcast(doc: WeightsDocument, m: WeightsHostToWebview): void {
    for (const e of this.editors) if (e.doc === doc && e.ready) e.post(m);
  }

  resolveCustomEditor(doc: WeightsDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = { enableScripts: true, localResourceRoots: resourceRoots(this.extensionUri) };
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    panel.webview.html = weightsHtml(panel.webview, this.extensionUri, `NN Lens: ${doc.name}`);
    const editor = new WeightsEditor(doc, panel, this.log, (name, stats) => this.broadcast(doc, { type: 'stats', stats: [{ name, stats }] }));
    this.editors.add(editor);
    const sub = panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(editor, raw));
    panel.onDidDispose(() => {
      sub.dispose();
      editor.dispose();
      this.editors.delete(editor);
    });
  }

  /** Checks a message from a page, then handles it; a bad one is logged and ignored, a failure logged. */
  private async receive(editor: WeightsEditor, raw: unknown): Promise<void> {
    const doc = editor.doc;
    const checked = checkWeightsMessage(raw, { hasTensor: (n) => !!doc.session?.entry(n), offered: (u) => !!doc.offered(u) });
    if (!checked.ok) {
      this.log.warn(`weights editor: ignored ${checked.error}`);
      return;
    }
    try {
      await this.handle(editor, checked.value);
    } catch (e) {
      this.log.error(`weights editor: ${checked.value.type} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async handle(editor: WeightsEditor, m: WeightsWebviewToHost): Promise<void> {
    const doc = editor.doc;
    switch (m.type) {
      case 'ready':
        // A page that was hidden comes back empty: it gets everything again.
        editor.ready = true;
        doc.refreshOffers(false);
        for (const s of doc.pageState()) editor.post(s);
        doc.startStats();
        return;
      case 'select':
        editor.select(m.requestId, m.name, m.index);
        return;
      case 'load':
        await this.load(editor, m.uri);
        return;
      case 'reopenWith':
        await vscode.commands.executeCommand('workbench.action.reopenWithEditor', doc.uri);
        return;
      case 'log':
        this.log[m.level === 'warn' ? 'warn' : m.level === 'error' ? 'error' : 'info'](`weights editor: ${m.message}`);
        return;
      default:
        assertNever(m);
    }
  }

  /** Loads the weights into the model file (the Load Weights command: trust, shapes and training checked there), then shows its visualizer. */
  private async load(editor: WeightsEditor, uri: string): Promise<void> {
    const file = editor.doc.uri.fsPath;
    const model = vscode.Uri.parse(uri, true);
    const label = path.basename(model.fsPath);
    if (!vscode.workspace.isTrusted) {
      editor.post({ type: 'loaded', uri, ok: false, message: 'Loading weights needs a trusted workspace.' });
      return;
    }
    const report = await vscode.commands.executeCommand<LoadReport | undefined>('nnLens.loadWeights', model, file);
    if (!report) {
      editor.post({ type: 'loaded', uri, ok: false, message: `Did not load ${path.basename(file)} into ${label}: see the notification and the NN Lens output.` });
      return;
    }
    await vscode.commands.executeCommand('nnLens.openVisualizer', model);
    const partial = report.missing.length + report.unexpected.length + report.mismatched.length > 0;
    editor.post({ type: 'loaded', uri, ok: !partial, message: `Loaded ${report.loaded.length} tensor${report.loaded.length === 1 ? '' : 's'} into ${label}${partial ? ' (some did not fit: see the notification)' : ''}; its visualizer shows them.` });
  }

  dispose(): void {
    for (const e of this.editors) e.dispose();
    for (const s of this.subs) s.dispose();
  }
}
