/**
 * analyzeModel: the text of a `*.nn.json` file → everything the editor and the views show about it: the spec
 * (only when it is safe to build), per-layer shapes and parameter counts with their source ranges, and
 * diagnostics with quick fixes. It never throws, whatever the text.
 */
import { createScanner, parseTree, printParseErrorCode, SyntaxKind, type Node, type ParseError } from 'jsonc-parser';
import type { Dim, DiagnosticInfo, LayerInfo, ModelSummary } from '../protocol';
import { DATASET_INFO } from './datasets';
import { diagnoseModel } from './diagnose-model';
import { diagnoseShapes } from './diagnose-shapes';
import { MAX_DEPTH, resolveLimits, type ModelLimits } from './limits';
import { estimateTrainingBytes } from './memory';
import { readModel, type ParsedLayer, type ParsedModel } from './read';
import { Reporter, type ModelDiagnostic } from './report';
import { inferShapes, type LayerShape, type ShapeLayer } from './shapes';
import type { LayerSpec, ModelSpec } from './spec';
import { formatCount, LineIndex } from './text';

export interface AnalyzeOptions {
  /** URI of the model file, copied into the summary. */
  uri?: string;
  limits?: Partial<ModelLimits>;
  /** Classes of the data the model trains on; defaults to the file's dataset (10 for MNIST and Fashion-MNIST). */
  classes?: number;
  /** Class names when `classes` is given (the summary's `classNames`); defaults to the dataset's or 0..n-1. */
  classNames?: string[];
  /** How messages name the data ("MNIST"); defaults to the file's dataset. */
  datasetLabel?: string;
}

/** A layer as the analysis sees it: the summary's LayerInfo plus what hovers and quick fixes need. */
export interface LayerAnalysis extends LayerInfo {
  /** The layer object's span in the text. */
  offset: number;
  length: number;
  /** A Linear's `in`, given or inferred. */
  inFeatures: number | null;
  /** A Linear's `out`. */
  outFeatures: number | null;
  /** The value of `dim` / `p` / `startDim` / `endDim` when the layer has one (defaults filled in). */
  dim?: number;
  p?: number;
}

export interface ModelAnalysis {
  /** The model with defaults filled in; null while any error remains (so building it is always safe). */
  spec: ModelSpec | null;
  summary: ModelSummary;
  diagnostics: ModelDiagnostic[];
  layers: LayerAnalysis[];
  outputShape: Dim[] | null;
  classes: number;
  totalParams: number;
  /** What training allocates, estimated from the shapes (see `estimateTrainingBytes`). */
  estimatedBytes: number;
  limits: ModelLimits;
  /** The loss and init scheme in effect (defaults filled in), for hovers. */
  loss: ModelSpec['train']['loss'];
  initScheme: ModelSpec['init']['scheme'];
  /** Offsets ↔ positions of the analysed text. */
  lines: LineIndex;
}

/** At most this many diagnostics are listed (the rest are summed up in one). */
export const MAX_DIAGNOSTICS = 300;

const SYNTAX_TEXT: Record<string, string> = {
  InvalidSymbol: 'Invalid symbol',
  InvalidNumberFormat: 'Invalid number format',
  PropertyNameExpected: 'Property name expected',
  ValueExpected: 'Value expected',
  ColonExpected: 'Colon expected',
  CommaExpected: 'Comma expected',
  CloseBraceExpected: 'Closing brace } expected',
  CloseBracketExpected: 'Closing bracket ] expected',
  EndOfFileExpected: 'End of file expected: a model file holds one object',
  InvalidCommentToken: 'Invalid comment',
  UnexpectedEndOfComment: 'Unexpected end of comment',
  UnexpectedEndOfString: 'Unexpected end of string',
  UnexpectedEndOfNumber: 'Unexpected end of number',
  InvalidUnicode: 'Invalid unicode escape',
  InvalidEscapeCharacter: 'Invalid escape character',
  InvalidCharacter: 'Invalid character in a string',
};

/** Offset where nesting first exceeds MAX_DEPTH, or -1. Scans tokens, so brackets in strings and comments don't count. */
function tooDeepAt(text: string): number {
  const sc = createScanner(text, true);
  let depth = 0;
  for (let k = sc.scan(); k !== SyntaxKind.EOF; k = sc.scan()) {
    if (k === SyntaxKind.OpenBraceToken || k === SyntaxKind.OpenBracketToken) {
      if (++depth > MAX_DEPTH) return sc.getTokenOffset();
    } else if (k === SyntaxKind.CloseBraceToken || k === SyntaxKind.CloseBracketToken) {
      depth = Math.max(0, depth - 1);
    }
  }
  return -1;
}

function toShapeLayer(l: ParsedLayer): ShapeLayer {
  return { type: l.type, name: l.name, in: l.in, out: l.out, bias: l.bias, dim: l.dim, startDim: l.startDim, endDim: l.endDim };
}

function toLayerSpec(l: ParsedLayer, s: LayerShape): LayerSpec | null {
  const named = l.nameNode ? { name: l.name } : {};
  switch (l.type) {
    case 'Linear':
      if (l.out === undefined || s.inFeatures === null) return null;
      return { type: 'Linear', ...named, in: s.inFeatures, out: l.out, bias: l.bias !== false };
    case 'Sigmoid':
    case 'ReLU':
    case 'Tanh':
      return { type: l.type, ...named };
    case 'Softmax':
    case 'LogSoftmax':
      return { type: l.type, ...named, dim: l.dim ?? 1 };
    case 'Flatten':
      return { type: 'Flatten', ...named, startDim: l.startDim ?? 1, endDim: l.endDim ?? -1 };
    case 'Dropout':
      return { type: 'Dropout', ...named, p: l.p ?? 0.5 };
    case null:
      return null;
  }
}

function specOf(model: ParsedModel, shapes: readonly LayerShape[]): ModelSpec | null {
  if (!model.input.shape) return null;
  const layers: LayerSpec[] = [];
  for (let i = 0; i < model.layers.length; i++) {
    const s = toLayerSpec(model.layers[i], shapes[i]);
    if (!s) return null;
    layers.push(s);
  }
  return {
    name: model.name,
    input: { shape: [...model.input.shape], dataset: model.input.dataset },
    layers,
    init: { ...model.init },
    train: { ...model.train, optimizer: { ...model.train.optimizer } },
  };
}

function layerTypeText(r: Reporter, l: ParsedLayer): string {
  if (l.type) return l.type;
  const t = l.typeNode;
  if (t && t.type === 'string' && typeof t.value === 'string') return t.value.slice(0, 40);
  return '?';
}

function emptyAnalysis(lines: LineIndex, diagnostics: ModelDiagnostic[], options: AnalyzeOptions, limits: ModelLimits): ModelAnalysis {
  const info = DATASET_INFO.mnist;
  const classes = validClasses(options.classes) ?? info.classNames.length;
  return {
    spec: null,
    summary: {
      uri: options.uri ?? '',
      name: 'model',
      inputShape: [],
      dataset: 'mnist',
      classNames: classNamesFor(options, classes, info.classNames),
      layers: [],
      totalParams: 0,
      diagnostics: diagnostics.map(toInfo),
    },
    diagnostics,
    layers: [],
    outputShape: null,
    classes,
    totalParams: 0,
    estimatedBytes: 0,
    limits,
    loss: 'cross_entropy',
    initScheme: 'pytorch',
    lines,
  };
}

function validClasses(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 1_000_000 ? n : undefined;
}

function classNamesFor(options: AnalyzeOptions, classes: number, fallback: string[]): string[] {
  if (Array.isArray(options.classNames) && options.classNames.length === classes) return options.classNames.map(String);
  if (fallback.length === classes) return [...fallback];
  return Array.from({ length: classes }, (_, i) => String(i));
}

/** The protocol's DiagnosticInfo (what the webview gets): no offsets, no fixes. */
function toInfo(d: ModelDiagnostic): DiagnosticInfo {
  const out: DiagnosticInfo = { severity: d.severity, message: d.message, range: d.range, code: d.code };
  if (d.layer !== undefined) out.layer = d.layer;
  return out;
}

/** Diagnostics in text order (stable), at most MAX_DIAGNOSTICS, errors kept first when some must go. */
function capDiagnostics(r: Reporter): ModelDiagnostic[] {
  const all = r.diagnostics.map((d, i) => [d, i] as const).sort((a, b) => a[0].offset - b[0].offset || a[1] - b[1]).map(([d]) => d);
  if (all.length <= MAX_DIAGNOSTICS) return all;
  const errorsFirst = [...all].sort((a, b) => (a.severity === 'error' ? 0 : 1) - (b.severity === 'error' ? 0 : 1) || a.offset - b.offset);
  const kept = errorsFirst.slice(0, MAX_DIAGNOSTICS - 1).sort((a, b) => a.offset - b.offset);
  const rest = all.length - kept.length;
  const first = errorsFirst[MAX_DIAGNOSTICS - 1];
  const sev = errorsFirst.slice(MAX_DIAGNOSTICS - 1).some((d) => d.severity === 'error') ? 'error' : 'warning';
  kept.push({ ...first, severity: sev, message: `…and ${rest} more problems (only the first ${MAX_DIAGNOSTICS - 1} are listed)`, fixes: [] });
  return kept;
}

function analyzeText(text: string, options: AnalyzeOptions): ModelAnalysis {
  const limits = resolveLimits(options.limits);
  if (text.length > limits.maxTextLength) {
    // Refused as a whole: not even lines are indexed.
    const r = new Reporter(new LineIndex(''));
    r.error('file-too-large', { offset: 0, length: 0 }, `The model file is ${formatCount(text.length)} characters long, more than the limit of ${formatCount(limits.maxTextLength)}: it is not read`);
    return emptyAnalysis(r.lines, r.diagnostics, options, limits);
  }
  const lines = new LineIndex(text);
  const r = new Reporter(lines);
  const deep = tooDeepAt(text);
  if (deep >= 0) {
    r.error('too-deep', { offset: deep, length: 1 }, `Nesting deeper than ${MAX_DEPTH} levels: a model file needs no more than 4`);
    return emptyAnalysis(lines, r.diagnostics, options, limits);
  }
  const errors: ParseError[] = [];
  const root: Node | undefined = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  for (const e of errors.slice(0, 50)) {
    const name = printParseErrorCode(e.error);
    r.error('syntax', { offset: e.offset, length: e.length }, SYNTAX_TEXT[name] ?? name);
  }
  const model = readModel(r, root, limits.maxLayers);
  const dataset = DATASET_INFO[model.input.dataset];
  const classes = validClasses(options.classes) ?? dataset.classNames.length;
  const inferred = inferShapes(model.input.shape, model.layers.map(toShapeLayer));
  diagnoseShapes(r, model, inferred.issues);
  let totalParams = 0;
  for (const s of inferred.layers) totalParams += s.params;
  const estimatedBytes = estimateTrainingBytes(
    totalParams,
    [model.input.shape ? ['B', ...model.input.shape] : null, ...inferred.layers.map((s) => s.outShape)],
    model.train.batchSize,
    model.train.optimizer,
  );
  diagnoseModel(r, model, {
    shapes: inferred.layers,
    output: inferred.output,
    classes,
    datasetLabel: typeof options.datasetLabel === 'string' ? options.datasetLabel : dataset.label,
    totalParams,
    estimatedBytes,
    limits,
  });
  const diagnostics = capDiagnostics(r);
  const layers: LayerAnalysis[] = model.layers.map((l, i) => {
    const s = inferred.layers[i];
    const la: LayerAnalysis = {
      index: i,
      name: l.name,
      type: layerTypeText(r, l),
      inShape: s.inShape,
      outShape: s.outShape,
      params: s.params,
      range: lines.range(l.node.offset, l.node.length),
      offset: l.node.offset,
      length: l.node.length,
      inFeatures: l.type === 'Linear' ? s.inFeatures : null,
      outFeatures: l.type === 'Linear' ? (l.out ?? null) : null,
    };
    if (s.weightShape) la.weightShape = s.weightShape;
    if (s.hasBias !== undefined) la.hasBias = s.hasBias;
    if (l.type === 'Softmax' || l.type === 'LogSoftmax') la.dim = l.dim ?? 1;
    if (l.type === 'Dropout') la.p = l.p ?? 0.5;
    return la;
  });
  const spec = r.errorCount === 0 ? specOf(model, inferred.layers) : null;
  const summary: ModelSummary = {
    uri: options.uri ?? '',
    name: model.name,
    inputShape: model.input.shape ? [...model.input.shape] : [],
    dataset: model.input.dataset,
    classNames: classNamesFor(options, classes, dataset.classNames),
    layers: layers.map(
      ({ offset: _o, length: _l, inFeatures: _i, outFeatures: _f, dim: _d, p: _p, ...info }): LayerInfo => info,
    ),
    totalParams,
    diagnostics: diagnostics.map(toInfo),
  };
  return {
    spec,
    summary,
    diagnostics,
    layers,
    outputShape: inferred.output,
    classes,
    totalParams,
    estimatedBytes,
    limits,
    loss: model.train.loss,
    initScheme: model.init.scheme,
    lines,
  };
}

/**
 * Analyses a model file's text. `spec` is non-null exactly when there is no error diagnostic: then
 * `buildModel(spec)` builds a model within the limits whose shapes are those of `layers`.
 */
export function analyzeModel(text: string, options: AnalyzeOptions = {}): ModelAnalysis {
  const t = typeof text === 'string' ? text : '';
  const opts = options && typeof options === 'object' ? options : {};
  try {
    return analyzeText(t, opts);
  } catch (e) {
    // A bug, never an input problem: report it where the user will see it rather than crash the caller.
    const lines = new LineIndex(t);
    const r = new Reporter(lines);
    r.error('internal', { offset: 0, length: 0 }, `NN Lens could not analyse this file (internal error: ${e instanceof Error ? e.message : String(e)}); please report it`);
    return emptyAnalysis(lines, r.diagnostics, opts, resolveLimits(undefined));
  }
}
