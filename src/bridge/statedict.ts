/**
 * State dicts from PyTorch against a model file: which keys the model expects (from the spec alone, nothing is
 * allocated), which are missing, unexpected or of another shape, and the usual reasons (a `module.` prefix from
 * DataParallel, a weight saved transposed), so a mismatch is listed key by key instead of failing in
 * `load_state_dict`.
 */
import type * as torch from '../engine';
import { layerNames, linearInputs } from '../model/build';
import type { ModelSpec } from '../model/spec';

/** What matching needs of a tensor: a Tensor, or a header entry read without the data. */
export interface TensorInfo {
  readonly shape: readonly number[];
  readonly dtype?: string;
}

export interface KeyShape {
  key: string;
  shape: number[];
}

export interface ShapeMismatch {
  key: string;
  expected: number[];
  found: number[];
  /** The found shape is the expected one reversed: a weight saved as [in, out]. */
  transposed: boolean;
}

export interface StateDictMatch {
  /** Every expected key present with its shape and a floating dtype, and no other key. */
  ok: boolean;
  /** The model's parameters in state_dict order. */
  expected: KeyShape[];
  missing: KeyShape[];
  unexpected: KeyShape[];
  shapeMismatches: ShapeMismatch[];
  /** Keys whose dtype cannot hold weights (int64, bool, ...). */
  dtypeMismatches: { key: string; dtype: string }[];
  /** A prefix every key of the file carries that, removed, makes the keys match (`module.` from DataParallel). */
  stripPrefix?: string;
}

const FLOAT_DTYPES = new Set(['float32', 'float64', 'float16', 'bfloat16', 'F32', 'F64', 'F16', 'BF16', '<f4', '<f8', '<f2']);

/** The parameters a model file's Sequential has, in state_dict order: `W1.weight [64, 784]`, `W1.bias [64]`, ... */
export function expectedParameters(spec: ModelSpec): KeyShape[] {
  const names = layerNames(spec);
  const ins = linearInputs(spec);
  const out: KeyShape[] = [];
  spec.layers.forEach((l, i) => {
    if (l.type !== 'Linear') return;
    const inF = ins[i] ?? l.in ?? 0;
    out.push({ key: `${names[i]}.weight`, shape: [l.out, inF] });
    if (l.bias !== false) out.push({ key: `${names[i]}.bias`, shape: [l.out] });
  });
  return out;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

function commonPrefix(keys: string[], expected: Set<string>): string | undefined {
  if (keys.length === 0 || keys.length !== expected.size) return undefined;
  // The shortest prefix ending in "." whose removal turns every key into an expected one.
  for (let dot = keys[0].indexOf('.'); dot >= 0; dot = keys[0].indexOf('.', dot + 1)) {
    const prefix = keys[0].slice(0, dot + 1);
    if (keys.every((k) => k.startsWith(prefix) && expected.has(k.slice(prefix.length)))) return prefix;
  }
  return undefined;
}

/**
 * Checks a state dict (names → tensors or header entries) against the model file's parameters. Extra buffers
 * PyTorch writes for layers we do not have (`num_batches_tracked`, ...) count as unexpected.
 */
export function matchStateDict(spec: ModelSpec, tensors: ReadonlyMap<string, TensorInfo | torch.Tensor>): StateDictMatch {
  const expected = expectedParameters(spec);
  const want = new Map(expected.map((e) => [e.key, e.shape]));
  const missing: KeyShape[] = [];
  const shapeMismatches: ShapeMismatch[] = [];
  const dtypeMismatches: { key: string; dtype: string }[] = [];
  for (const e of expected) {
    const t = tensors.get(e.key);
    if (!t) {
      missing.push(e);
      continue;
    }
    const found = [...t.shape];
    if (!sameShape(found, e.shape)) {
      shapeMismatches.push({ key: e.key, expected: e.shape, found, transposed: found.length === 2 && e.shape.length === 2 && found[0] === e.shape[1] && found[1] === e.shape[0] });
    }
    if (t.dtype !== undefined && !FLOAT_DTYPES.has(t.dtype)) dtypeMismatches.push({ key: e.key, dtype: t.dtype });
  }
  const unexpected: KeyShape[] = [];
  for (const [key, t] of tensors) if (!want.has(key)) unexpected.push({ key, shape: [...t.shape] });
  const result: StateDictMatch = {
    ok: missing.length === 0 && unexpected.length === 0 && shapeMismatches.length === 0 && dtypeMismatches.length === 0,
    expected,
    missing,
    unexpected,
    shapeMismatches,
    dtypeMismatches,
  };
  if (!result.ok && missing.length === expected.length) {
    const prefix = commonPrefix([...tensors.keys()], new Set(want.keys()));
    if (prefix !== undefined) result.stripPrefix = prefix;
  }
  return result;
}

/** Removes `prefix` from every key (the keys that lack it are kept as they are). */
export function stripKeyPrefix<T>(tensors: ReadonlyMap<string, T>, prefix: string): Map<string, T> {
  return new Map([...tensors].map(([k, v]) => [k.startsWith(prefix) ? k.slice(prefix.length) : k, v]));
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** The mismatches as lines a person can act on, one key per line; empty when the match is ok. */
export function describeMismatch(m: StateDictMatch): string[] {
  const lines: string[] = [];
  if (m.missing.length) {
    lines.push(`missing ${m.missing.length} key${m.missing.length === 1 ? '' : 's'} the model needs:`);
    for (const k of m.missing) lines.push(`  ${k.key} ${shapeText(k.shape)}`);
  }
  if (m.unexpected.length) {
    lines.push(`${m.unexpected.length} unexpected key${m.unexpected.length === 1 ? '' : 's'} the model does not have:`);
    for (const k of m.unexpected) lines.push(`  ${k.key} ${shapeText(k.shape)}`);
  }
  if (m.shapeMismatches.length) {
    lines.push(`${m.shapeMismatches.length} shape mismatch${m.shapeMismatches.length === 1 ? '' : 'es'}:`);
    for (const s of m.shapeMismatches) {
      lines.push(`  ${s.key}: the model needs ${shapeText(s.expected)}, the weights hold ${shapeText(s.found)}${s.transposed ? ' (transposed: PyTorch stores a Linear weight as [out_features, in_features])' : ''}`);
    }
  }
  if (m.dtypeMismatches.length) {
    lines.push('not floating-point weights:');
    for (const d of m.dtypeMismatches) lines.push(`  ${d.key}: ${d.dtype}`);
  }
  if (m.stripPrefix !== undefined) lines.push(`every key starts with "${m.stripPrefix}": without it they match (a model wrapped in DataParallel or a submodule saves such keys)`);
  return lines;
}
