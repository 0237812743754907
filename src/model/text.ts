/** Offsets ↔ zero-based line/character positions (UTF-16 code units, as VS Code counts), and number/shape text. */
import type { Dim, SourceRange } from '../protocol';

export interface Position {
  line: number;
  character: number;
}

/** A text replacement: `length` characters at `offset` become `newText`; `range` is the same span as lines. */
export interface TextEdit {
  offset: number;
  length: number;
  newText: string;
  range: SourceRange;
}

/** Line starts of a text; `\n`, `\r\n` and a lone `\r` all end a line, as in VS Code. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      } else if (c === 10) {
        this.starts.push(i + 1);
      }
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  offsetAt(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.starts.length) return this.text.length;
    const start = this.starts[pos.line];
    const next = pos.line + 1 < this.starts.length ? this.starts[pos.line + 1] : this.text.length;
    return Math.max(start, Math.min(start + Math.max(0, pos.character), next));
  }

  range(offset: number, length: number): SourceRange {
    return { start: this.positionAt(offset), end: this.positionAt(offset + length) };
  }

  edit(offset: number, length: number, newText: string): TextEdit {
    return { offset, length, newText, range: this.range(offset, length) };
  }
}

/** 50240 → "50,240" (no locale data needed). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const neg = n < 0;
  const s = Math.round(Math.abs(n)).toLocaleString('en-US', { useGrouping: false });
  const digits = /^\d+$/.test(s) ? s : String(Math.round(Math.abs(n)));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return (neg ? '-' : '') + out;
}

/** [B, 784] as PyTorch users write it. */
export function formatShape(shape: readonly Dim[] | null): string {
  return shape ? `[${shape.join(', ')}]` : '[?]';
}

/** A number as Python prints it in a message (1e+21, 0.1, 64). */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}
