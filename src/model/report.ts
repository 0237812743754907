/** Collects diagnostics with their exact source span and quick fixes while the model file is analysed. */
import type { Node } from 'jsonc-parser';
import type { DiagnosticInfo, Severity } from '../protocol';
import type { DiagnosticCode } from './codes';
import { LineIndex, type TextEdit } from './text';

/** A quick fix: applying all `edits` (offsets into the analysed text, non-overlapping) repairs the problem. */
export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** The fix to apply when the user asks for "the" fix (VS Code's isPreferred). */
  preferred?: boolean;
}

export interface ModelDiagnostic extends DiagnosticInfo {
  code: DiagnosticCode;
  /** The same span as `range`, as offsets into the text. */
  offset: number;
  length: number;
  fixes: QuickFix[];
}

export interface Span {
  offset: number;
  length: number;
}

export interface ReportExtra {
  layer?: number;
  fixes?: QuickFix[];
}

export class Reporter {
  readonly diagnostics: ModelDiagnostic[] = [];

  constructor(readonly lines: LineIndex) {}

  get text(): string {
    return this.lines.text;
  }

  report(severity: Severity, code: DiagnosticCode, at: Span, message: string, extra: ReportExtra = {}): void {
    const offset = Math.max(0, Math.min(at.offset, this.text.length));
    const length = Math.max(0, Math.min(at.length, this.text.length - offset));
    const d: ModelDiagnostic = { severity, code, message, offset, length, range: this.lines.range(offset, length), fixes: extra.fixes ?? [] };
    if (extra.layer !== undefined) d.layer = extra.layer;
    this.diagnostics.push(d);
  }

  error(code: DiagnosticCode, at: Span, message: string, extra?: ReportExtra): void {
    this.report('error', code, at, message, extra);
  }

  warning(code: DiagnosticCode, at: Span, message: string, extra?: ReportExtra): void {
    this.report('warning', code, at, message, extra);
  }

  get errorCount(): number {
    let n = 0;
    for (const d of this.diagnostics) if (d.severity === 'error') n++;
    return n;
  }

  /** Where to report something missing from an object: its key when it is a property value, else its `{`. */
  anchorOf(node: Node): Span {
    const parent = node.parent;
    if (parent && parent.type === 'property' && parent.children && parent.children[1] === node) {
      const key = parent.children[0];
      return { offset: key.offset, length: key.length };
    }
    return { offset: node.offset, length: Math.min(1, node.length) };
  }
}
