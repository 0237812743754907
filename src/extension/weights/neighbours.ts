/**
 * Model files beside a weight file, checked against its tensors with `matchStateDict` (keys and shapes, from the
 * header alone): the page offers to load the weights into a model that matches, and lists the mismatches of one
 * that nearly does (same name, or some keys in common). Pure: no `vscode`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeMismatch, matchStateDict, type TensorInfo } from '../../bridge';
import { loadModelSpec } from '../../model/load';
import type { ModelOffer } from '../../protocol';
import type { SourceEntry } from './source';

export const MODEL_SUFFIX = '.nn.json';
/** At most this many model files of a folder are read. */
export const MAX_MODELS = 50;
/** Model files larger than this are skipped (a model file is a few hundred bytes). */
export const MAX_MODEL_BYTES = 1024 * 1024;

/** `dir/mnist.safetensors` → `mnist`; `dir/mnist.nn.json` → `mnist`. */
export function stem(file: string): string {
  const b = path.basename(file);
  return b.endsWith(MODEL_SUFFIX) ? b.slice(0, -MODEL_SUFFIX.length) : b.replace(/\.[^.]*$/, '');
}

/** The model files in the weight file's folder (sorted, at most MAX_MODELS). */
export function modelFilesBeside(weightsFile: string): string[] {
  const dir = path.dirname(weightsFile);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith(MODEL_SUFFIX)).sort().slice(0, MAX_MODELS).map((n) => path.join(dir, n));
}

/**
 * What to offer for each model file: `text(file)` gives its current text (an open editor's, else the disk's), or
 * undefined when it cannot be read. Broken model files are listed only when they share the weight file's name.
 */
export function modelOffers(weightsFile: string, entries: readonly SourceEntry[], models: readonly string[], text: (file: string) => string | undefined, toUri: (file: string) => string): ModelOffer[] {
  const tensors = new Map<string, TensorInfo>(entries.map((e) => [e.name, { shape: e.shape, dtype: e.dtype }]));
  const own = stem(weightsFile);
  const offers: (ModelOffer & { rank: number })[] = [];
  for (const file of models) {
    const sameName = stem(file) === own;
    const label = path.basename(file);
    const t = text(file);
    if (t === undefined) continue;
    let spec;
    try {
      spec = loadModelSpec(t, label);
    } catch (e) {
      if (sameName) offers.push({ uri: toUri(file), label, ok: false, mismatch: [`${label} has errors: ${(e as Error).message}`], rank: 2 });
      continue;
    }
    const m = matchStateDict(spec, tensors);
    const shared = m.expected.some((k) => tensors.has(k.key));
    if (!m.ok && !sameName && !shared && m.stripPrefix === undefined) continue;
    offers.push({ uri: toUri(file), label, ok: m.ok, mismatch: describeMismatch(m), rank: m.ok ? 0 : sameName ? 1 : 2 });
  }
  return offers.sort((a, b) => a.rank - b.rank || a.label.localeCompare(b.label)).map(({ rank: _r, ...o }) => o);
}

/** A model file's text from disk, or undefined when missing, unreadable or too large. */
export function readModelText(file: string): string | undefined {
  try {
    if (fs.statSync(file).size > MAX_MODEL_BYTES) return undefined;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
