/**
 * Reading a state dict PyTorch users write: `.safetensors` (`safetensors.torch.save_file(model.state_dict(), f)`),
 * `.npz` (`np.savez(f, **{k: v.numpy() ...})`) or a pickled dict in a `.npy` (`np.save(f, {k: v.numpy() ...})`),
 * and checking it against a model file before anything is loaded.
 */
import * as fs from 'node:fs';
import type * as torch from '../engine';
import { readSafetensorsFile } from '../data/safetensors';
import { decodeNpy } from '../data/npy';
import type { ModelSpec } from '../model/spec';
import { decodeNpz } from './npz';
import { decodeNpyDict } from './npy-dict';
import { matchStateDict, type StateDictMatch } from './statedict';

/** Files larger than this are not read whole (a state dict of 5M float32 parameters is 20 MB). */
export const MAX_STATE_DICT_BYTES = 2 * 1024 ** 3;

const isZip = (b: Uint8Array): boolean => b.byteLength >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5);
const isNpy = (b: Uint8Array): boolean => b.byteLength >= 6 && b[0] === 0x93 && String.fromCharCode(...b.subarray(1, 6)) === 'NUMPY';

/** The tensors of a state dict file, by name. The format is told by the file's first bytes, not its name. */
export function readStateDictFile(file: string): Map<string, torch.Tensor> {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(err.code === 'ENOENT' ? `${file}: weights file not found` : `${file}: cannot read (${err.message})`);
  }
  if (size > MAX_STATE_DICT_BYTES) throw new Error(`${file}: ${size} bytes is larger than the ${MAX_STATE_DICT_BYTES}-byte limit for a state dict`);
  const fd = fs.openSync(file, 'r');
  const head = new Uint8Array(8);
  try {
    fs.readSync(fd, head, 0, 8, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (isZip(head)) return decodeNpz(fs.readFileSync(file), file);
  if (isNpy(head)) return decodeNpyStateDict(fs.readFileSync(file), file);
  if (/\.(npz|npy)$/i.test(file)) throw new Error(`${file}: not a ${file.slice(-3)} file (its first bytes are neither the \\x93NUMPY magic nor a zip header)`);
  return readSafetensorsFile(file);
}

/** A `.npy` state dict: a pickled dict of arrays (np.save of a dict). A plain array has no names to match. */
export function decodeNpyStateDict(buf: Uint8Array, file: string): Map<string, torch.Tensor> {
  const dict = decodeNpyDict(buf, file);
  if (dict) return dict;
  const t = decodeNpy(buf, file);
  throw new Error(
    `${file}: holds one array of shape [${t.shape.join(', ')}], not a state dict: save the weights by name with ` +
      `np.savez(file, **{k: v.numpy() for k, v in model.state_dict().items()}) or safetensors.torch.save_file(model.state_dict(), file)`,
  );
}

export interface WeightsForModel {
  tensors: Map<string, torch.Tensor>;
  match: StateDictMatch;
}

/** Reads `file` and matches it against `spec`: the caller loads `tensors` only when `match.ok`. */
export function readWeightsForModel(spec: ModelSpec, file: string): WeightsForModel {
  const tensors = readStateDictFile(file);
  return { tensors, match: matchStateDict(spec, tensors) };
}
