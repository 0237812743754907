/**
 * The visualizer panel host: one WebviewPanel per model file, beside the editor. Strict CSP with a nonce,
 * `localResourceRoots` = dist/ and media/; the webview announces `ready` and gets `init` with everything; updates
 * carry version/runId; weights are throttled to `nnLens.viewUpdatesPerSecond`; the state is replayed when the panel
 * is shown again or restored after a reload (serializer). Every message from the webview is validated first.
 */
import * as vscode from 'vscode';
import { pageHtml } from './page-html';
import type { HostToWebview, WebviewToHost } from '../protocol';
import type { ModelState } from './state';
import { PanelInbox } from './panel-inbox';
import { Outbox } from './outbox';
import { errorMessage, throttle } from './util';

export const VIEW_TYPE = 'nnLens.visualizer';

/** What the panel asks of the rest of the extension. */
export interface PanelHost {
  readonly extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  updatesPerSecond(): number;
  /** Opens the model file and selects the layer's text. */
  revealLayer(uri: vscode.Uri, layer: number): Promise<void>;
  /** Runs a command (train, pause, ...) on this model file. */
  runCommand(uri: vscode.Uri, command: Extract<WebviewToHost, { type: 'command' }>['command']): Promise<void>;
  inspect(state: ModelState, expression: string): { text: string; tensor?: { name: string; shape: number[]; data: ArrayBuffer } };
  images(state: ModelState, trueLabel: number, predicted: number): Promise<{ images: ArrayBuffer; labels: number[]; indices: number[] }>;
  /** The webview is ready: a chance to send what is computed lazily (test samples). */
  ready(state: ModelState): void;
  /** A panel became active or inactive, or closed (the commands' `nnLens.modelActive` context follows). */
  activeChanged?(): void;
}

/** How long a visible page may take to say `ready` before it is loaded again. */
const STARTUP_MS = 12_000;

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  return pageHtml(webview, extensionUri, title, 'webview.js', 'webview.css');
}

export class VisualizerPanel implements vscode.Disposable {
  private ready = false;
  private readonly subs: vscode.Disposable[] = [];
  private readonly sendWeights = throttle<[HostToWebview]>(() => 1000 / this.host.updatesPerSecond(), (m) => this.post(m));
  private disposed = false;
  /** Times the page was loaded again because it did not say `ready` (see watchStart). */
  reloads = 0;
  private watch: ReturnType<typeof setTimeout> | undefined;
  /** Messages posted to the webview (tests read it; the latest few hundred). */
  readonly sent: HostToWebview['type'][] = [];
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.closed.event;
  /** Every message from the webview goes through it: checked, logged when bad, answered when good. */
  readonly inbox: PanelInbox;
  /** Every message to the webview goes through it: updates wait for the previous one of their kind. */
  readonly outbox: Outbox;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly uri: vscode.Uri,
    readonly state: ModelState,
    private readonly host: PanelHost,
  ) {
    const dist = vscode.Uri.joinPath(host.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(host.extensionUri, 'media');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    panel.iconPath = vscode.Uri.joinPath(media, 'icon.png');
    panel.webview.html = panelHtml(panel.webview, host.extensionUri, panel.title);
    this.watchStart();
    this.outbox = new Outbox(
      (m) => {
        this.sent.push(m.type);
        if (this.sent.length > 500) this.sent.splice(0, this.sent.length - 500);
        return panel.webview.postMessage(m);
      },
      (m, e) => host.log.warn(`visualizer: posting ${m.type} failed: ${errorMessage(e)}`),
    );
    this.inbox = new PanelInbox(
      state,
      {
        revealLayer: (layer) => host.revealLayer(uri, layer),
        runCommand: (command) => host.runCommand(uri, command),
        inspect: (s, expression) => host.inspect(s, expression),
        images: (s, trueLabel, predicted) => host.images(s, trueLabel, predicted),
        ready: () => {
          this.ready = true;
          clearTimeout(this.watch);
          this.replay();
          host.ready(state);
        },
      },
      (m) => this.post(m),
      host.log,
    );
    this.subs.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.inbox.receive(m)),
      panel.onDidChangeViewState((e) => {
        // Shown again: replay everything (the webview drops what it already has by version/runId).
        if (e.webviewPanel.visible && this.ready) this.replay();
        if (e.webviewPanel.visible && !this.ready) this.watchStart();
        host.activeChanged?.();
      }),
      panel.onDidDispose(() => {
        this.dispose();
        host.activeChanged?.();
      }),
      state.onMessage((m) => this.forward(m)),
    );
  }

  private forward(m: HostToWebview): void {
    if (!this.ready) return; // `init` will carry it
    if (m.type === 'weights') this.sendWeights.call(m);
    else {
      if (m.type === 'model' || m.type === 'training') this.sendWeights.flush();
      this.post(m);
    }
  }

  private post(m: HostToWebview): void {
    if (!this.disposed) this.outbox.send(m);
  }

  replay(): void {
    this.sendWeights.dispose();
    // `init` carries everything the waiting updates would.
    this.outbox.dropWaiting();
    this.post(this.state.initMessage({ updatesPerSecond: this.host.updatesPerSecond() }));
    if (this.state.cursorLayer !== null) this.post({ type: 'cursor', version: this.state.version, layer: this.state.cursorLayer });
  }

  reveal(): void {
    this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
  }

  /**
   * A visible page that has not said `ready` after STARTUP_MS is loaded again (twice at most), and the log says so.
   * Seen once in CI (code-server): a panel restored during training whose page never said `ready` and stayed blank;
   * the cause was not found. A hidden page starts when shown, so the watch waits for it to be visible.
   */
  private watchStart(): void {
    clearTimeout(this.watch);
    if (this.ready || this.disposed || this.reloads >= 2) return;
    this.watch = setTimeout(() => {
      if (this.ready || this.disposed || !this.panel.visible) return;
      this.reloads++;
      this.host.log.warn(`visualizer: the page of ${this.panel.title} did not start within ${STARTUP_MS / 1000} s; loading it again (${this.reloads} of 2)`);
      this.panel.webview.html = panelHtml(this.panel.webview, this.host.extensionUri, this.panel.title);
      this.watchStart();
    }, STARTUP_MS);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.watch);
    this.sendWeights.dispose();
    this.inbox.dispose();
    this.outbox.close();
    for (const s of this.subs) s.dispose();
    this.closed.fire();
    this.closed.dispose();
    this.panel.dispose();
  }
}
