/**
 * Text edits that keep the user's formatting and comments: replace a value, rename a key, insert an array
 * element with the surrounding indentation, remove an element or property with its comma.
 */
import { createScanner, SyntaxKind, type Node } from 'jsonc-parser';
import type { LineIndex, TextEdit } from './text';

export function replaceNode(lines: LineIndex, node: Node, newText: string): TextEdit {
  return lines.edit(node.offset, node.length, newText);
}

/** The line break the text already uses. */
export function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** Offset of the first non-trivia token in [from, to) if it is a comma, else -1. */
function commaBetween(text: string, from: number, to: number): number {
  const sc = createScanner(text.slice(from, to), true);
  const k = sc.scan();
  return k === SyntaxKind.CommaToken ? from + sc.getTokenOffset() : -1;
}

function isBlank(s: string): boolean {
  return /^[ \t]*$/.test(s);
}

/** End of the line containing `offset`, past its line break. */
function lineEndWithBreak(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  if (text[i] === '\r' && text[i + 1] === '\n') return i + 2;
  return i < text.length ? i + 1 : i;
}

/** Only spaces, tabs and an optional line comment from `offset` to the end of its line. */
function restOfLineFree(text: string, offset: number): boolean {
  const end = lineEndWithBreak(text, offset);
  const rest = text.slice(offset, end).replace(/[\r\n]+$/, '');
  return /^[ \t]*(\/\/.*)?$/.test(rest);
}

/**
 * Removes `item` (an array element or an object property) from its parent's `siblings`, with its comma.
 * When the item sits on lines of its own, the whole lines go (with a trailing line comment, which belongs to it).
 */
export function removeItem(lines: LineIndex, item: Node, siblings: readonly Node[]): TextEdit[] {
  const text = lines.text;
  const idx = siblings.indexOf(item);
  const start = item.offset;
  const end = item.offset + item.length;
  const next = idx >= 0 && idx + 1 < siblings.length ? siblings[idx + 1] : undefined;
  const prev = idx > 0 ? siblings[idx - 1] : undefined;
  const lineStart = lines.lineStart(lines.positionAt(start).line);
  const ownsLine = isBlank(text.slice(lineStart, start));
  if (next) {
    const comma = commaBetween(text, end, next.offset);
    const afterComma = comma >= 0 ? comma + 1 : end;
    if (ownsLine && restOfLineFree(text, afterComma)) {
      return [lines.edit(lineStart, lineEndWithBreak(text, afterComma) - lineStart, '')];
    }
    let stop = afterComma;
    while (stop < next.offset && (text[stop] === ' ' || text[stop] === '\t')) stop++;
    return [lines.edit(start, stop - start, '')];
  }
  const edits: TextEdit[] = [];
  const prevComma = prev ? commaBetween(text, prev.offset + prev.length, start) : -1;
  // A trailing comma after the last item (allowed in JSONC) goes with it.
  const parentEnd = item.parent ? item.parent.offset + item.parent.length : text.length;
  const trailing = commaBetween(text, end, parentEnd);
  const itemEnd = trailing >= 0 ? trailing + 1 : end;
  if (ownsLine && restOfLineFree(text, itemEnd)) {
    if (prevComma >= 0 && trailing < 0) edits.push(lines.edit(prevComma, 1, ''));
    edits.push(lines.edit(lineStart, lineEndWithBreak(text, itemEnd) - lineStart, ''));
    return edits;
  }
  if (prevComma >= 0) {
    const between = text.slice(prevComma + 1, start);
    if (/^\s*$/.test(between)) return [lines.edit(prevComma, end - prevComma, '')];
    edits.push(lines.edit(prevComma, 1, ''));
  }
  edits.push(lines.edit(start, itemEnd - start, ''));
  return edits;
}

/** Inserts `itemText` as a new array element before `before`, on its own line when `before` is on its own line. */
export function insertBefore(lines: LineIndex, before: Node, itemText: string): TextEdit {
  const text = lines.text;
  const lineStart = lines.lineStart(lines.positionAt(before.offset).line);
  const indent = text.slice(lineStart, before.offset);
  if (isBlank(indent)) return lines.edit(before.offset, 0, `${itemText},${eolOf(text)}${indent}`);
  return lines.edit(before.offset, 0, `${itemText}, `);
}

/** Applies non-overlapping edits (offsets into `text`) and returns the new text. */
export function applyTextEdits(text: string, edits: readonly Pick<TextEdit, 'offset' | 'length' | 'newText'>[]): string {
  const sorted = [...edits].sort((a, b) => b.offset - a.offset || b.length - a.length);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.offset + e.length > limit) throw new RangeError(`overlapping edits at offset ${e.offset}`);
    out = out.slice(0, e.offset) + e.newText + out.slice(e.offset + e.length);
    limit = e.offset;
  }
  return out;
}
