/** Helpers shared by the subcommands: reading the model file and weights, number formatting. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '../engine';
import { loadModelSpec } from '../model/load';
import { buildModel } from '../model/build';
import type { ModelSpec } from '../model/spec';
import { SafetensorsFile } from '../data/safetensors';

export function resolvePath(cwd: string, p: string): string {
  return path.resolve(cwd, p);
}

/**
 * Text from a file made safe for a terminal: control characters (escape sequences could retitle the window or
 * clear the screen) and bidirectional overrides are shown as \uXXXX; newlines and tabs stay.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function readModelSpec(file: string): ModelSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(err.code === 'ENOENT' ? `${file}: model file not found` : `${file}: cannot read (${err.message})`);
  }
  try {
    return loadModelSpec(text, file);
  } catch (e) {
    // The diagnostics quote the file: a name holding an escape sequence must not reach the terminal as one.
    throw new Error(printable((e as Error).message));
  }
}

/** Builds the model and, when given, loads weights from a safetensors file (strict: same keys and shapes). */
export function modelWithWeights(spec: ModelSpec, weightsFile?: string): torch.nn.Sequential {
  const model = buildModel(spec);
  if (weightsFile) {
    const f = SafetensorsFile.open(weightsFile);
    try {
      const sd = new Map<string, torch.Tensor>();
      for (const name of f.names) sd.set(name, f.readTensor(name));
      model.loadStateDict(sd);
    } catch (e) {
      throw new Error(`${weightsFile}: ${(e as Error).message}`);
    } finally {
      f.close();
    }
  }
  return model;
}

/** Output features of the model (the last Linear's `out`), or null when it has no Linear. */
export function outputFeatures(spec: ModelSpec): number | null {
  for (let i = spec.layers.length - 1; i >= 0; i--) {
    const l = spec.layers[i];
    if (l.type === 'Linear') return l.out;
  }
  return null;
}

export const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
export const int = (x: number): string => Math.round(x).toLocaleString('en-US');
export const fixed = (x: number, d = 4): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));
