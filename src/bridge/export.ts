/**
 * Export to PyTorch: a model file and its weights → `NAME.py` (see python-module.ts) and `NAME.safetensors`
 * (float32, state_dict order, the keys of the model file). `exportToPyTorch` only computes the two files;
 * `writePyTorchExport` puts them side by side, each written whole or not at all.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as torch from '../engine';
import { encodeSafetensors } from '../data/safetensors';
import type { ModelSpec } from '../model/spec';
import { pythonModule, type SampleImage } from './python-module';
import { describeMismatch, expectedParameters, matchStateDict } from './statedict';

export type { SampleImage } from './python-module';

export interface ExportOptions {
  /** The module's file name without `.py`; the weights become `<moduleName>.safetensors`. */
  moduleName: string;
  /** The model file's name, for the module's docstring. */
  source?: string;
  /** One test image for the module's `__main__` (a random input when left out). */
  sample?: SampleImage;
}

export interface PyTorchExport {
  /** The text of `<moduleName>.py`. */
  python: string;
  /** The bytes of `<moduleName>.safetensors`, in parts (write them in order). */
  safetensors: Uint8Array[];
  pythonFile: string;
  weightsFile: string;
}

/** A Python module name that `import` can name: letters, digits and _, not starting with a digit. */
export function isPythonIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** A module name derived from a model file name: `mnist-mlp.nn.json` → `mnist_mlp`. */
export function moduleNameFor(modelFile: string): string {
  const stem = path.basename(modelFile).replace(/\.nn\.json$|\.jsonc?$/i, '');
  const name = stem.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(\d)/, '_$1');
  return name === '' || /^_+$/.test(name) ? 'model' : name;
}

/**
 * The module and weights for `spec` with `weights` (a state dict: the keys of the model file). Throws, listing
 * every missing, unexpected or mis-shaped key, when the weights do not fit the model.
 */
export function exportToPyTorch(spec: ModelSpec, weights: ReadonlyMap<string, torch.Tensor>, opts: ExportOptions): PyTorchExport {
  if (opts.moduleName === '' || /[/\\]/.test(opts.moduleName)) throw new Error(`export: bad module name ${JSON.stringify(opts.moduleName)}`);
  const m = matchStateDict(spec, weights);
  if (!m.ok) throw new Error(`the weights do not fit ${spec.name}:\n${describeMismatch(m).join('\n')}`);
  const ordered = expectedParameters(spec).map((e) => {
    const t = weights.get(e.key) as torch.Tensor;
    return [e.key, t.dtype === 'float32' ? t : t.to('float32')] as const;
  });
  const weightsFile = `${opts.moduleName}.safetensors`;
  const metadata: Record<string, string> = { format: 'pt', exported_by: 'NN Lens', model: spec.name };
  return {
    python: pythonModule(spec, { weightsFile, source: opts.source, sample: opts.sample }),
    safetensors: encodeSafetensors(ordered, metadata),
    pythonFile: `${opts.moduleName}.py`,
    weightsFile,
  };
}

/**
 * Writes `dir/<pythonFile>` and `dir/<weightsFile>`: both go to temporary files first and are renamed into place
 * only when both were written whole, so a failed write (a full disk, a folder in the way) leaves the old files,
 * if any, untouched and no temporary file behind. Returns the two paths.
 */
export function writePyTorchExport(dir: string, exp: PyTorchExport): { python: string; weights: string } {
  const pyPath = path.join(dir, exp.pythonFile);
  const wPath = path.join(dir, exp.weightsFile);
  for (const p of [pyPath, wPath]) {
    if (fs.existsSync(p) && !fs.statSync(p).isFile()) throw new Error(`${p} exists and is not a file: nothing was written`);
  }
  const stamp = `${process.pid}-${Date.now()}`;
  const tmpPy = path.join(dir, `.${exp.pythonFile}.tmp-${stamp}`);
  const tmpW = path.join(dir, `.${exp.weightsFile}.tmp-${stamp}`);
  try {
    writeAll(tmpW, exp.safetensors);
    writeAll(tmpPy, [new TextEncoder().encode(exp.python)]);
    fs.renameSync(tmpW, wPath);
    fs.renameSync(tmpPy, pyPath);
  } catch (e) {
    fs.rmSync(tmpW, { force: true });
    fs.rmSync(tmpPy, { force: true });
    throw e;
  }
  return { python: pyPath, weights: wPath };
}

function writeAll(file: string, parts: readonly Uint8Array[]): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (const p of parts) {
      let off = 0;
      while (off < p.byteLength) off += fs.writeSync(fd, p, off, p.byteLength - off);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
