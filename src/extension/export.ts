/**
 * "Export to PyTorch": writes `<name>.py` (the model as `nn.Sequential(OrderedDict(...))` with the same layer
 * names, so state_dict keys match; `build_model()`, `load_model(path=None)`, and a `__main__` that prints the model
 * and its prediction for one test image) and `<name>.safetensors` (the current weights) next to the model file.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import type { LayerSpec, ModelSpec } from '../model/spec';
import { layerNames, linearInputs } from '../model/build';
import type { ModelState } from './state';
import { saveWeights } from './weights';

function pyFloat(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

function layerPy(l: LayerSpec, inF: number | null): string {
  switch (l.type) {
    case 'Linear':
      return `nn.Linear(${inF ?? l.in}, ${l.out}${l.bias === false ? ', bias=False' : ''})`;
    case 'Sigmoid':
    case 'ReLU':
    case 'Tanh':
      return `nn.${l.type}()`;
    case 'Softmax':
    case 'LogSoftmax':
      return `nn.${l.type}(dim=${l.dim ?? 1})`;
    case 'Flatten':
      return `nn.Flatten(${l.startDim ?? 1}, ${l.endDim ?? -1})`;
    case 'Dropout':
      return `nn.Dropout(p=${pyFloat(l.p ?? 0.5)})`;
  }
}

export function pythonModule(spec: ModelSpec, weightsFile: string, source: string, sample?: { pixels: Uint8Array; label: number }): string {
  const names = layerNames(spec);
  const ins = linearInputs(spec);
  const layers = spec.layers.map((l, i) => `        (${JSON.stringify(names[i])}, ${layerPy(l, ins[i])}),`).join('\n');
  const shape = spec.input.shape.join(', ');
  const example = sample
    ? `    image = torch.tensor([${[...sample.pixels].join(', ')}], dtype=torch.float32).reshape(1, ${shape}) / 255
    label = ${sample.label}`
    : `    torch.manual_seed(0)
    image = torch.rand(1, ${shape})
    label = None`;
  return `"""${spec.name}: exported by NN Lens from ${source}.

build_model() gives a fresh nn.Sequential with the same layer names as the model file (so state_dict keys match);
load_model(path=None) loads the exported weights (${weightsFile} beside this file by default).
"""
from collections import OrderedDict
import json
import os
import struct

import torch
from torch import nn


def build_model():
    return nn.Sequential(OrderedDict([
${layers}
    ]))


def read_safetensors(path):
    """The tensors of a .safetensors file: with the safetensors package when installed, else a minimal reader."""
    try:
        from safetensors.torch import load_file
        return load_file(path)
    except ImportError:
        pass
    dtypes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "U8": torch.uint8}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for key, entry in header.items():
        if key == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        dtype = dtypes[entry["dtype"]]
        if end == start:
            out[key] = torch.empty(entry["shape"], dtype=dtype)
        else:
            out[key] = torch.frombuffer(bytearray(data[start:end]), dtype=dtype).reshape(entry["shape"])
    return out


def load_model(path=None):
    if path is None:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), ${JSON.stringify(weightsFile)})
    model = build_model()
    model.load_state_dict(read_safetensors(path))
    model.eval()
    return model


if __name__ == "__main__":
    model = load_model()
    print(model)
${example}
    with torch.no_grad():
        out = model(image)
    print(out)
    print("predicted", int(out.argmax(dim=1)), "true", label)
`;
}

/** Writes the module and its weights; returns [module, weights] paths. */
export function exportPyTorch(modelFile: string, state: ModelState, sample?: { pixels: Uint8Array; label: number }): [string, string] {
  const spec = state.spec;
  if (!spec) throw new Error('the model file has errors: fix them before exporting');
  const dir = path.dirname(modelFile);
  const stem = path.basename(modelFile).replace(/\.nn\.json$/, '').replace(/\W+/g, '_').replace(/^(\d)/, '_$1') || 'model';
  const py = path.join(dir, `${stem}.py`);
  const weights = path.join(dir, `${stem}.safetensors`);
  saveWeights(weights, state);
  const tmp = `${py}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, pythonModule(spec, path.basename(weights), path.basename(modelFile), sample));
  fs.renameSync(tmp, py);
  return [py, weights];
}
