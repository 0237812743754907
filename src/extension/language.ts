/**
 * Language features for `*.nn.json` on top of the analysis: quick fixes (the model layer's edit lists, applied as
 * one undoable WorkspaceEdit), hover on a layer, and CodeLens (shapes and parameters per layer, live weight and
 * gradient norms while training, Train · Visualize · Reset above the file).
 */
import * as vscode from 'vscode';
import { codeLensText, hoverMarkdown, layerAtPosition } from '../model/hover';
import type { ModelRegistry } from './models';
import type { ModelState } from './state';
import { toRange } from './util';

const SELECTOR: vscode.DocumentSelector = [{ pattern: '**/*.nn.json' }];

export interface LanguageFeatures extends vscode.Disposable {
  /** Asks VS Code for fresh CodeLens (live norms while training). */
  refreshLenses(): void;
}

export function registerLanguageFeatures(models: ModelRegistry, isTraining: (s: ModelState) => boolean): LanguageFeatures {
  const lensChanged = new vscode.EventEmitter<void>();
  const subs: vscode.Disposable[] = [lensChanged, models.onDidAnalyse(() => lensChanged.fire())];

  subs.push(
    vscode.languages.registerCodeActionsProvider(
      SELECTOR,
      {
        provideCodeActions(doc, _range, ctx) {
          const state = models.get(doc.uri);
          if (!state || state.version !== doc.version) return [];
          const a = state.analysis;
          const actions: vscode.CodeAction[] = [];
          for (const fix of a.fixes) {
            const d = a.diagnostics[fix.diagnostic];
            if (!d) continue;
            const diag = ctx.diagnostics.find((v) => v.message === d.message && v.range.isEqual(toRange(d.range)));
            if (!diag) continue;
            const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
            const edit = new vscode.WorkspaceEdit();
            for (const e of fix.edits) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.newText);
            action.edit = edit;
            action.diagnostics = [diag];
            action.isPreferred = fix.preferred ?? false;
            actions.push(action);
          }
          return actions;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
    vscode.languages.registerHoverProvider(SELECTOR, {
      provideHover(doc, pos) {
        const state = models.get(doc.uri);
        if (!state || state.version !== doc.version) return undefined;
        const a = state.analysis.model;
        const l = layerAtPosition(a, { line: pos.line, character: pos.character });
        if (!l) return undefined;
        const text = hoverMarkdown(a, l.index, state.trained ? (k: string) => state.weightValues(k) : undefined);
        return new vscode.Hover(new vscode.MarkdownString(text), toRange(l.range));
      },
    }),
    vscode.languages.registerCodeLensProvider(SELECTOR, {
      onDidChangeCodeLenses: lensChanged.event,
      provideCodeLenses(doc) {
        const state = models.get(doc.uri);
        if (!state) return [];
        const top = new vscode.Range(0, 0, 0, 0);
        const arg = [doc.uri];
        const lenses = [
          new vscode.CodeLens(top, { title: isTraining(state) ? '$(debug-pause) Pause/Resume' : '$(play) Train', command: isTraining(state) ? 'nnLens.pauseResume' : 'nnLens.train', arguments: arg }),
          new vscode.CodeLens(top, { title: '$(graph) Visualize', command: 'nnLens.openVisualizer', arguments: arg }),
          new vscode.CodeLens(top, { title: '$(refresh) Reset', command: 'nnLens.resetWeights', arguments: arg }),
        ];
        const live = isTraining(state) || state.trained;
        const values = live ? { weights: (k: string) => state.weightValues(k), grads: (k: string) => state.gradValues(k) } : {};
        for (const l of state.analysis.model.layers) {
          lenses.push(new vscode.CodeLens(toRange(l.range), { title: codeLensText(state.analysis.model, l.index, values), command: 'nnLens.revealInVisualizer', arguments: [doc.uri, l.index] }));
        }
        return lenses;
      },
    }),
  );
  return { dispose: () => subs.forEach((d) => d.dispose()), refreshLenses: () => lensChanged.fire() };
}
