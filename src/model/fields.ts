/**
 * Reading typed values out of the syntax tree: each reader either returns a valid value or reports a
 * diagnostic at the value's exact span (with a quick fix when the intent is clear) and returns undefined.
 */
import type { Node } from 'jsonc-parser';
import type { DiagnosticCode } from './codes';
import { removeItem, replaceNode } from './edits';
import { MAX_SIZE } from './limits';
import type { QuickFix, Reporter } from './report';
import { suggest } from './suggest';
import { formatCount } from './text';

/** A property of an object node: its key, its value (absent in partial text) and the property node. */
export interface Member {
  key: Node;
  value: Node | undefined;
  prop: Node;
}

/** The source text of a node, shortened for messages. */
export function sourceOf(r: Reporter, node: Node): string {
  const s = r.text.slice(node.offset, node.offset + node.length);
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}

function describe(r: Reporter, node: Node): string {
  switch (node.type) {
    case 'string':
      return `the string ${sourceOf(r, node)}`;
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    case 'null':
      return 'null';
    default:
      return sourceOf(r, node);
  }
}

/** A number node's value; jsonc-parser gives null for out-of-range literals such as 1e400, so read the text. */
export function numberOf(r: Reporter, node: Node): number {
  if (typeof node.value === 'number') return node.value;
  return Number(r.text.slice(node.offset, node.offset + node.length));
}

/**
 * The properties of an object, by key (the last of duplicated keys wins, as in JSON.parse). Duplicates and
 * fields not in `known` get warnings, with fixes to remove them or rename them to what was probably meant.
 */
export function members(r: Reporter, obj: Node, where: string, known: readonly string[], layer?: number, ignored: readonly string[] = []): Map<string, Member> {
  const out = new Map<string, Member>();
  const props = (obj.children ?? []).filter((c) => c.type === 'property');
  for (const prop of props) {
    const key = prop.children?.[0];
    if (!key || typeof key.value !== 'string') continue;
    const name = key.value;
    const earlier = out.get(name);
    if (earlier) {
      r.warning('duplicate-key', earlier.key, `Duplicate field "${name}" in ${where}: the last one wins, this one is ignored`, {
        layer,
        fixes: [{ title: `Remove the ignored "${name}"`, edits: removeItem(r.lines, earlier.prop, props), preferred: true }],
      });
    }
    out.set(name, { key, value: prop.children?.[1], prop });
    if (!known.includes(name) && !ignored.includes(name)) {
      const guess = suggest(name, known);
      const fixes: QuickFix[] = [];
      if (guess && !props.some((p) => p.children?.[0]?.value === guess)) {
        fixes.push({ title: `Rename to "${guess}"`, edits: [replaceNode(r.lines, key, JSON.stringify(guess))], preferred: true });
      }
      fixes.push({ title: `Remove "${name}"`, edits: removeItem(r.lines, prop, props) });
      const hint = guess ? `: did you mean "${guess}"?` : ` (known: ${known.join(', ')})`;
      r.warning('unknown-field', key, `Unknown field "${name}" in ${where}, ignored${hint}`, { layer, fixes });
    }
  }
  return out;
}

/** The member's value node, or a `missing-field` error when required and absent. */
export function valueOf(r: Reporter, m: Member | undefined, what: string, layer?: number): Node | undefined {
  if (m && !m.value) {
    r.error('missing-field', m.key, `${what} has no value`, { layer });
    return undefined;
  }
  return m?.value;
}

function typeError(r: Reporter, node: Node, what: string, expected: string, layer?: number, fixes: QuickFix[] = []): undefined {
  r.error('wrong-type', node, `${what} must be ${expected}, got ${describe(r, node)}`, { layer, fixes });
  return undefined;
}

/** A quoted number ("64") can be unquoted. */
function unquoteFix(r: Reporter, node: Node, accept: (n: number) => boolean): QuickFix[] {
  if (node.type !== 'string' || typeof node.value !== 'string') return [];
  const s = node.value.trim();
  if (s === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return [];
  const n = Number(s);
  return accept(n) ? [{ title: `Change to the number ${n}`, edits: [replaceNode(r.lines, node, String(n))], preferred: true }] : [];
}

export interface SizeOptions {
  code?: DiagnosticCode;
  layer?: number;
}

/** A size: an integer in 1..MAX_SIZE. */
export function readSize(r: Reporter, node: Node, what: string, o: SizeOptions = {}): number | undefined {
  const ok = (n: number): boolean => Number.isInteger(n) && n > 0 && n <= MAX_SIZE;
  if (node.type !== 'number') return typeError(r, node, what, 'a positive integer', o.layer, unquoteFix(r, node, ok));
  const v = numberOf(r, node);
  if (!Number.isFinite(v) || v > MAX_SIZE) {
    r.error('size-too-large', node, `${what} is too large: ${sourceOf(r, node)} (at most ${formatCount(MAX_SIZE)})`, { layer: o.layer });
    return undefined;
  }
  if (!ok(v)) {
    r.error(o.code ?? 'invalid-size', node, `${what} must be a positive integer, got ${sourceOf(r, node)}`, { layer: o.layer });
    return undefined;
  }
  return v;
}

/** An integer in [min, max]. */
export function readInt(r: Reporter, node: Node, what: string, min: number, max: number, layer?: number): number | undefined {
  const ok = (n: number): boolean => Number.isInteger(n) && n >= min && n <= max;
  if (node.type !== 'number') return typeError(r, node, what, 'an integer', layer, unquoteFix(r, node, ok));
  const v = numberOf(r, node);
  if (!ok(v)) {
    const range = min === 0 ? `a non-negative integer (at most ${formatCount(max)})` : `an integer from ${min} to ${max}`;
    r.error('invalid-value', node, `${what} must be ${range}, got ${sourceOf(r, node)}`, { layer });
    return undefined;
  }
  return v;
}

export interface NumberRange {
  min?: number;
  /** The minimum itself is excluded. */
  exclusiveMin?: boolean;
  max?: number;
  exclusiveMax?: boolean;
  /** The message when out of range (PyTorch's own message where it has one). */
  message?: (v: string) => string;
  code?: DiagnosticCode;
  layer?: number;
}

/** A finite number in a range. */
export function readNumber(r: Reporter, node: Node, what: string, o: NumberRange = {}): number | undefined {
  const ok = (v: number): boolean =>
    Number.isFinite(v) &&
    (o.min === undefined || (o.exclusiveMin ? v > o.min : v >= o.min)) &&
    (o.max === undefined || (o.exclusiveMax ? v < o.max : v <= o.max));
  if (node.type !== 'number') return typeError(r, node, what, 'a number', o.layer, unquoteFix(r, node, ok));
  const v = numberOf(r, node);
  if (!ok(v)) {
    const lo = o.min === undefined ? '' : `${o.exclusiveMin ? '>' : '≥'} ${o.min}`;
    const hi = o.max === undefined ? '' : `${o.exclusiveMax ? '<' : '≤'} ${o.max}`;
    const range = [lo, hi].filter(Boolean).join(' and ');
    const msg = o.message ? o.message(sourceOf(r, node)) : `${what} must be a finite number${range ? ' ' + range : ''}, got ${sourceOf(r, node)}`;
    r.error(o.code ?? 'invalid-value', node, msg, { layer: o.layer });
    return undefined;
  }
  return v;
}

export function readBool(r: Reporter, node: Node, what: string, layer?: number): boolean | undefined {
  if (node.type === 'boolean' && typeof node.value === 'boolean') return node.value;
  const fixes: QuickFix[] = [];
  if (node.type === 'string' && typeof node.value === 'string' && /^(true|false)$/i.test(node.value.trim())) {
    const b = node.value.trim().toLowerCase();
    fixes.push({ title: `Change to ${b}`, edits: [replaceNode(r.lines, node, b)], preferred: true });
  }
  return typeError(r, node, what, 'true or false', layer, fixes);
}

export function readString(r: Reporter, node: Node, what: string, layer?: number): string | undefined {
  if (node.type === 'string' && typeof node.value === 'string') return node.value;
  return typeError(r, node, what, 'a string', layer);
}

/** One of `values`; otherwise an `unknown-enum` error (or `code`) suggesting the closest. */
export function readEnum<T extends string>(r: Reporter, node: Node, what: string, values: readonly T[], code: DiagnosticCode = 'unknown-enum', layer?: number): T | undefined {
  const s = readString(r, node, what, layer);
  if (s === undefined) return undefined;
  if ((values as readonly string[]).includes(s)) return s as T;
  const guess = suggest(s, values);
  const fixes: QuickFix[] = guess ? [{ title: `Change to "${guess}"`, edits: [replaceNode(r.lines, node, JSON.stringify(guess))], preferred: true }] : [];
  const hint = guess ? `: did you mean "${guess}"?` : '';
  r.error(code, node, `${what}: unknown value ${sourceOf(r, node)}${hint} (one of ${values.join(', ')})`, { layer, fixes });
  return undefined;
}
