/**
 * The model-file language, for the extension, the CLI and the worker: analysis (spec, shapes, diagnostics with
 * quick fixes), hovers and CodeLens text, rebuild planning, the template. Pure: no `vscode`, no DOM.
 */
export { analyzeModel, MAX_DIAGNOSTICS, type AnalyzeOptions, type LayerAnalysis, type ModelAnalysis } from './analyze';
export { buildModel, layerNames, linearInputs } from './build';
export { DIAGNOSTIC_CODES, SCHEMA_COVERED_CODES, type DiagnosticCode } from './codes';
export { DATASET_INFO, type DatasetInfo } from './datasets';
export { applyTextEdits } from './edits';
export { DEFAULT_LIMITS, MAX_DEPTH, MAX_SIZE, resolveLimits, type ModelLimits } from './limits';
export { loadModelSpec } from './load';
export { codeLensText, fixesAt, hoverMarkdown, layerAtOffset, layerAtPosition, tensorStats, type LiveTensors, type TensorLookup, type TensorStats } from './hover';
export { estimateTrainingBytes, formatBytes } from './memory';
export { planRebuild, rebuildModel, type RebuildPlan } from './rebuild';
export { NEW_MODEL_TEMPLATE } from './templates';
export type { ModelDiagnostic, QuickFix } from './report';
export { inferShapes, type LayerShape, type ShapeIssue, type ShapeLayer } from './shapes';
export * from './spec';
export { formatCount, formatShape, LineIndex, type Position, type TextEdit } from './text';
