/**
 * Language features for `*.nn.json` on top of the analysis: quick fixes (the model layer's edit lists, applied as
 * one undoable WorkspaceEdit), hover on a layer, and CodeLens (shapes and parameters per layer, live weight and
 * gradient norms while training, Train · Visualize · Reset above the file).
 */
import * as vscode from 'vscode';
import type { Dim, LayerInfo } from '../protocol';
import type { ModelRegistry } from './models';
import type { ModelState } from './state';
import { fromPayload } from './state';
import { toRange } from './util';

const SELECTOR: vscode.DocumentSelector = [{ pattern: '**/*.nn.json' }];

export function shapeText(s: Dim[] | null): string {
  return s ? `[${s.join(', ')}]` : '[?]';
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

function layerAt(state: ModelState, pos: vscode.Position): LayerInfo | undefined {
  return state.analysis.summary.layers.find((l) => toRange(l.range).contains(pos));
}

/** Frobenius norm of a layer's weight and (while training) of its gradient, from the latest snapshot. */
function norms(state: ModelState, layer: string): { weight?: number; grad?: number } {
  const out: { weight?: number; grad?: number } = {};
  const w = state.model?.namedParameters().find(([k]) => k === `${layer}.weight`)?.[1];
  if (w) out.weight = w.norm().item();
  const g = state.grads?.find((p) => p.name === `${layer}.weight`);
  if (g) out.grad = fromPayload(g).norm().item();
  return out;
}

export function layerLensText(state: ModelState, l: LayerInfo, live: boolean): string {
  let text = `${shapeText(l.inShape)} → ${shapeText(l.outShape)}`;
  if (l.params > 0) text += ` · ${count(l.params)} params`;
  if (live && l.params > 0) {
    const n = norms(state, l.name);
    if (n.weight !== undefined) text += ` · ‖W‖ ${n.weight.toFixed(3)}`;
    if (n.grad !== undefined) text += ` · ‖∇W‖ ${n.grad.toExponential(2)}`;
  }
  return text;
}

export function hoverText(state: ModelState, l: LayerInfo): string {
  const lines = [`**${l.type} ${l.name}** · ${shapeText(l.inShape)} → ${shapeText(l.outShape)}`];
  if (l.weightShape) {
    const [out, inF] = l.weightShape;
    lines.push('', `\`${l.name}.weight\`: \`torch.Size([${out}, ${inF}])\` · ${count(out * inF)} params`);
    if (l.hasBias) lines.push(`\`${l.name}.bias\`: \`torch.Size([${out}])\` · ${count(out)} params`);
    if (inF > 0) lines.push('', `init: U(−1/√${inF}, 1/√${inF}) = U(−${(1 / Math.sqrt(inF)).toFixed(4)}, ${(1 / Math.sqrt(inF)).toFixed(4)})`);
    const w = state.model?.namedParameters().find(([k]) => k === `${l.name}.weight`)?.[1];
    if (w && state.trained) lines.push('', `trained weight: mean ${w.mean().item().toFixed(4)}, std ${w.std().item().toFixed(4)}`);
  }
  return lines.join('\n');
}

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
        const l = state && layerAt(state, pos);
        if (!state || !l) return undefined;
        return new vscode.Hover(new vscode.MarkdownString(hoverText(state, l)), toRange(l.range));
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
        for (const l of state.analysis.summary.layers) {
          if (l.range.start.line === 0 && l.range.end.line === 0 && l.range.start.character === 0) continue;
          lenses.push(new vscode.CodeLens(toRange(l.range), { title: layerLensText(state, l, live), command: 'nnLens.revealInVisualizer', arguments: [doc.uri, l.index] }));
        }
        return lenses;
      },
    }),
  );
  return { dispose: () => subs.forEach((d) => d.dispose()), refreshLenses: () => lensChanged.fire() };
}
