/**
 * A weight file opened in the custom editor: its session (header, statistics cache) or the error that stopped it,
 * the model files beside it, and the editors showing it. When the file or a model file beside it changes on disk
 * (training saves `<model>.safetensors` there), it is read again and every editor is told.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelOffer, WeightsHostToWebview } from '../../protocol';
import { WeightSession } from './session';
import { modelFilesBeside, modelOffers, MODEL_SUFFIX, readModelText } from './neighbours';

/** Quiet time after a change on disk before the file is read again. */
export const RELOAD_DELAY_MS = 200;

export interface DocumentHost {
  log: vscode.LogOutputChannel;
  /** Sends to every editor of the document that is ready. */
  broadcast(doc: WeightsDocument, m: WeightsHostToWebview): void;
}

export class WeightsDocument implements vscode.CustomDocument {
  session: WeightSession | null = null;
  error: string | null = null;
  offers: ModelOffer[] = [];
  private readonly subs: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private statsRunning: Promise<void> | null = null;

  constructor(readonly uri: vscode.Uri, private readonly host: DocumentHost) {
    this.open();
    if (uri.scheme === 'file') {
      const dir = vscode.Uri.file(path.dirname(uri.fsPath));
      const own = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, path.basename(uri.fsPath)));
      const models = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, `*${MODEL_SUFFIX}`));
      const reload = () => this.reloadSoon();
      const remodel = () => this.refreshOffers(true);
      this.subs.push(own, models, own.onDidChange(reload), own.onDidCreate(reload), own.onDidDelete(reload),
        models.onDidChange(remodel), models.onDidCreate(remodel), models.onDidDelete(remodel));
    }
  }

  get name(): string {
    return path.basename(this.uri.path);
  }

  private open(): void {
    this.error = null;
    this.session = null;
    if (this.uri.scheme !== 'file') {
      this.error = `${this.uri.toString()}: NN Lens reads weight files on disk only (this one is on "${this.uri.scheme}:")`;
      return;
    }
    try {
      this.session = WeightSession.open(this.uri.fsPath);
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.host.log.warn(`weights editor: ${this.error}`);
    }
    this.refreshOffers(false);
  }

  /** What a page gets when it (re)loads: the file or the error, and the model files beside it. */
  pageState(): WeightsHostToWebview[] {
    const out: WeightsHostToWebview[] = [];
    if (this.session) out.push({ type: 'file', file: this.session.info(vscode.workspace.isTrusted) });
    else out.push({ type: 'error', file: this.name, message: this.error ?? 'unknown error' });
    if (this.session) out.push({ type: 'models', models: this.offers });
    return out;
  }

  /** Model files beside the weight file (open editors' text first: an unsaved edit counts). */
  refreshOffers(announce: boolean): void {
    const s = this.session;
    if (!s) {
      this.offers = [];
      return;
    }
    const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.fsPath, d] as const));
    try {
      this.offers = modelOffers(s.file, s.source.entries, modelFilesBeside(s.file), (f) => open.get(f)?.getText() ?? readModelText(f), (f) => vscode.Uri.file(f).toString());
    } catch (e) {
      this.offers = [];
      this.host.log.warn(`weights editor: checking the model files beside ${this.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (announce) this.host.broadcast(this, { type: 'models', models: this.offers });
  }

  offered(uri: string): ModelOffer | undefined {
    return this.offers.find((o) => o.uri === uri);
  }

  /** Starts the background statistics pass once; results go to every editor. */
  startStats(): void {
    const s = this.session;
    if (!s || this.statsRunning) return;
    this.statsRunning = s
      .computeAllStats((batch) => this.host.broadcast(this, { type: 'stats', stats: batch }))
      .catch((e: unknown) => this.host.log.warn(`weights editor: statistics of ${this.name}: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        if (this.session === s) this.statsRunning = null;
      });
  }

  private reloadSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), RELOAD_DELAY_MS);
  }

  private async reload(): Promise<void> {
    const old = this.session;
    this.statsRunning = null;
    this.open();
    await old?.close().catch(() => undefined);
    this.host.log.info(`weights editor: ${this.name} changed on disk: read again`);
    for (const m of this.pageState()) this.host.broadcast(this, m);
    this.startStats();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subs) s.dispose();
    void this.session?.close().catch(() => undefined);
    this.session = null;
  }
}
