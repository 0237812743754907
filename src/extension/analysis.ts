/**
 * The one place the extension asks src/model/ about a model file's text. Pure (no `vscode`), so the state holder
 * and its tests use it too. Everything else in src/extension/ reads the `Analysis` it returns.
 */
import { analyzeModel, type ModelAnalysis, type ModelDiagnostic } from '../model';
import type { ModelSpec } from '../model/spec';
import type { ModelSummary } from '../protocol';

/** A text replacement, by offset (what the quick fixes apply through a WorkspaceEdit). */
export interface Edit {
  offset: number;
  length: number;
  newText: string;
}

export interface QuickFix {
  title: string;
  /** Index into `diagnostics` of the problem it fixes. */
  diagnostic: number;
  edits: Edit[];
  preferred?: boolean;
}

export interface Analysis {
  spec: ModelSpec | null;
  summary: ModelSummary;
  diagnostics: ModelDiagnostic[];
  fixes: QuickFix[];
  /** The model layer's full analysis (hover and CodeLens text, layer at an offset). */
  model: ModelAnalysis;
}

export interface AnalysisOptions {
  maxParameters: number;
}

/** Analyses a model file's text; never throws (the analysis turns even its own bugs into a diagnostic). */
export function analyze(text: string, uri: string, options: AnalysisOptions): Analysis {
  const model = analyzeModel(text, { uri, limits: { maxParams: options.maxParameters } });
  const fixes: QuickFix[] = model.diagnostics.flatMap((d, i) => d.fixes.map((f) => ({ title: f.title, diagnostic: i, edits: f.edits, ...(f.preferred ? { preferred: true } : {}) })));
  return { spec: model.spec, summary: model.summary, diagnostics: model.diagnostics, fixes, model };
}
