/**
 * The reader for callers without an editor (CLI, worker tests): model-file text → a ModelSpec with defaults
 * filled in, or an Error listing what is wrong and where (`file:line:col: message`). It is `analyzeModel`
 * with warnings dropped, so the CLI and the editor accept exactly the same files.
 */
import { analyzeModel, type AnalyzeOptions } from './analyze';
import type { ModelSpec } from './spec';

export { DEFAULT_TRAIN } from './read';

/** Parses and validates a model file's text; `file` names it in errors. */
export function loadModelSpec(text: string, file = 'model', options: AnalyzeOptions = {}): ModelSpec {
  const a = analyzeModel(text, options);
  if (a.spec) return a.spec;
  const errors = a.diagnostics.filter((d) => d.severity === 'error');
  const lines = errors.slice(0, 5).map((d) => `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`);
  if (errors.length > 5) lines.push(`…and ${errors.length - 5} more errors`);
  throw new Error(lines.join('\n') || `${file}: not a valid model file`);
}
