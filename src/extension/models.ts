/**
 * One `ModelState` per model file, fed by the open documents: analysed on open, re-analysed as the user types
 * (debounced), diagnostics published at their exact ranges. Weights saved next to a model file are loaded when it
 * is first opened. Nothing here writes to the model file.
 */
import * as vscode from 'vscode';
import type { Severity } from '../protocol';
import { ModelState } from './state';
import { isModelDocument, toRange } from './util';
import type { Settings } from './settings';

/** Milliseconds of quiet typing before a model file is re-analysed. */
export const ANALYSE_DELAY_MS = 60;

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export class ModelRegistry implements vscode.Disposable {
  private readonly states = new Map<string, ModelState>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly changed = new vscode.EventEmitter<ModelState>();
  /** Fires after a model file was (re-)analysed. */
  readonly onDidAnalyse = this.changed.event;
  private readonly created = new vscode.EventEmitter<{ state: ModelState; uri: vscode.Uri }>();
  /** Fires once per model file, after its first analysis (the weights loader listens). */
  readonly onDidCreate = this.created.event;
  readonly diagnostics = vscode.languages.createDiagnosticCollection('nn-lens');
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly settings: () => Settings) {
    this.disposables.push(
      this.diagnostics,
      this.changed,
      this.created,
      vscode.workspace.onDidOpenTextDocument((d) => this.open(d)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isModelDocument(e.document) && e.contentChanges.length > 0) this.schedule(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        // Keep the state (weights, curves) for a reopen and for an open panel; only the problems go.
        if (isModelDocument(d)) this.diagnostics.delete(d.uri);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.open(d);
  }

  get(uri: vscode.Uri): ModelState | undefined {
    return this.states.get(uri.toString());
  }

  all(): ModelState[] {
    return [...this.states.values()];
  }

  /** The state of a model document, analysed now if it is new or stale. */
  ensure(doc: vscode.TextDocument): ModelState {
    const key = doc.uri.toString();
    let s = this.states.get(key);
    const isNew = !s;
    if (!s) {
      s = new ModelState(key, () => ({ maxParameters: this.settings().maxParameters }));
      this.states.set(key, s);
    }
    if (s.version !== doc.version || isNew) this.analyse(doc, s);
    if (isNew) this.created.fire({ state: s, uri: doc.uri });
    return s;
  }

  private open(doc: vscode.TextDocument): void {
    if (isModelDocument(doc)) this.ensure(doc);
  }

  private schedule(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!doc.isClosed) this.ensure(doc);
      }, ANALYSE_DELAY_MS),
    );
  }

  /** Re-analyses every open model file (after a settings change). */
  refreshAll(): void {
    for (const d of vscode.workspace.textDocuments) {
      const s = isModelDocument(d) ? this.states.get(d.uri.toString()) : undefined;
      if (s) this.analyse(d, s);
    }
  }

  private analyse(doc: vscode.TextDocument, s: ModelState): void {
    const a = s.update(doc.getText(), doc.version);
    this.diagnostics.set(
      doc.uri,
      a.diagnostics.map((d) => {
        const v = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
        v.source = 'NN Lens';
        const code = (d as { code?: string }).code;
        if (code) v.code = code;
        return v;
      }),
    );
    this.changed.fire(s);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
