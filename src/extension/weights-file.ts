/**
 * Weights next to the model file: `<model>.safetensors` (PyTorch state_dict keys), written atomically (a temp file
 * renamed over the old one: a crash leaves the old file whole) and read back when the model is opened again.
 * Loading (safetensors, or a PyTorch user's .npz / .npy dict) keeps what fits: keys and shapes that match the model file; the rest is reported, never half-loaded.
 */
import * as fs from 'node:fs';
import type * as torch from '../engine';
import { writeSafetensorsFile } from '../data/safetensors';
import { readStateDictFile } from '../bridge';
import type { ModelState } from './state';

export interface LoadReport {
  loaded: string[];
  /** Keys in the file that the model does not have. */
  unexpected: string[];
  /** Model parameters the file does not have. */
  missing: string[];
  /** Keys whose shapes differ: `W1.weight: file [64, 784], model [32, 784]`. */
  mismatched: string[];
}

export function saveWeights(file: string, state: ModelState): number {
  const sd = state.stateDict();
  if (sd.size === 0) throw new Error('the model has no parameters to save (fix the errors in the model file first)');
  writeSafetensorsFile(file, sd, { format: 'pt', producer: 'nn-lens', model: state.analysis.summary.name });
  return fs.statSync(file).size;
}

/**
 * Loads the tensors of `file` whose key and shape match the model. With `strict`, any mismatch is an Error that
 * names them all and nothing is loaded.
 */
export function loadWeights(file: string, state: ModelState, strict: boolean): LoadReport {
  const tensors = readStateDictFile(file); // .safetensors, .npz, or a dict in a .npy, told by the first bytes
  const own = new Map(state.stateDict());
  if (own.size === 0) throw new Error('the model file has errors: fix them before loading weights');
  const report: LoadReport = { loaded: [], unexpected: [], missing: [], mismatched: [] };
  const keep = new Map<string, torch.Tensor>();
  for (const [k, t] of tensors) {
    const p = own.get(k);
    if (!p) report.unexpected.push(k);
    else if (p.shape.length !== t.shape.length || p.shape.some((d, i) => d !== t.shape[i])) report.mismatched.push(`${k}: file [${t.shape.join(', ')}], model [${p.shape.join(', ')}]`);
    else keep.set(k, t.dtype === 'float32' ? t : t.float());
  }
  for (const k of own.keys()) if (!tensors.has(k)) report.missing.push(k);
  if (strict && (report.unexpected.length || report.missing.length || report.mismatched.length)) {
    throw new Error(`${file} does not match the model: ${describeMismatch(report)}`);
  }
  if (keep.size === 0) throw new Error(`${file} has no tensor that fits the model: ${describeMismatch(report)}`);
  // Fill what the file lacks with the current values so the load is whole.
  const whole = new Map(own);
  for (const [k, t] of keep) whole.set(k, t);
  state.setWeights(whole);
  report.loaded = [...keep.keys()];
  return report;
}

export function describeMismatch(r: LoadReport): string {
  const parts: string[] = [];
  if (r.mismatched.length) parts.push(`shape mismatch for ${r.mismatched.join('; ')}`);
  if (r.missing.length) parts.push(`missing ${r.missing.join(', ')}`);
  if (r.unexpected.length) parts.push(`unexpected ${r.unexpected.join(', ')}`);
  return parts.join('; ') || 'all keys match';
}
