/** Small helpers for the model-language tests: build a model file's text and look at what the analysis says. */
import * as assert from 'node:assert/strict';
import { analyzeModel, type AnalyzeOptions, type ModelAnalysis } from '../../../src/model/analyze';
import type { DiagnosticCode } from '../../../src/model/codes';
import { applyTextEdits } from '../../../src/model/edits';
import type { ModelDiagnostic } from '../../../src/model/report';

export interface FileParts {
  input?: string;
  layers?: string[];
  train?: string;
  extra?: string;
}

/** A model file's text, one layer per line, as people write it. */
export function modelText(p: FileParts = {}): string {
  const layers = p.layers ?? [
    '{ "name": "W1", "type": "Linear", "in": 784, "out": 64 }',
    '{ "type": "Sigmoid" }',
    '{ "name": "W2", "type": "Linear", "out": 10 }',
    '{ "type": "Softmax", "dim": 1 }',
  ];
  return [
    '{',
    '  "name": "test",',
    `  "input": ${p.input ?? '{ "shape": [784], "dataset": "mnist" }'},`,
    '  "layers": [',
    layers.map((l) => '    ' + l).join(',\n'),
    '  ],',
    ...(p.extra ? [`  ${p.extra},`] : []),
    `  "train": ${p.train ?? '{ "batchSize": 10, "loss": "cross_entropy", "optimizer": { "type": "sgd", "lr": 0.1 } }'}`,
    '}',
    '',
  ].join('\n');
}

export function analyze(text: string, options?: AnalyzeOptions): ModelAnalysis {
  return analyzeModel(text, options);
}

/** The one diagnostic with `code` (fails when there is none or several). */
export function only(a: ModelAnalysis, code: DiagnosticCode): ModelDiagnostic {
  const ds = a.diagnostics.filter((d) => d.code === code);
  assert.equal(ds.length, 1, `expected one ${code}, got: ${JSON.stringify(a.diagnostics.map((d) => [d.code, d.message]), null, 1)}`);
  return ds[0];
}

export function codes(a: ModelAnalysis): DiagnosticCode[] {
  return a.diagnostics.map((d) => d.code);
}

/** The source text a diagnostic points at. */
export function spanText(text: string, d: ModelDiagnostic): string {
  return text.slice(d.offset, d.offset + d.length);
}

/** Applies the fix titled `title` (or the preferred one) of `d` and returns the new text. */
export function applyFix(text: string, d: ModelDiagnostic, title?: string): string {
  const fix = title ? d.fixes.find((f) => f.title === title) : (d.fixes.find((f) => f.preferred) ?? d.fixes[0]);
  assert.ok(fix, `no fix ${title ?? '(preferred)'} on ${d.code}: ${d.fixes.map((f) => f.title).join(', ')}`);
  return applyTextEdits(text, fix.edits);
}

export function assertClean(a: ModelAnalysis): void {
  assert.deepEqual(a.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`), []);
  assert.ok(a.spec, 'a clean file has a spec');
}
