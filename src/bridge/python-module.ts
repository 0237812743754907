/**
 * The text of an exported PyTorch module: the model file as `nn.Sequential(OrderedDict([...]))` with the same layer
 * names (so state_dict keys match), `build_model()`, `read_safetensors()` (the `safetensors` package when installed,
 * else a minimal reader), `load_model(path=None)`, and a `__main__` that prints the model and its output for one
 * test image. The module returns what NN Lens's predictions show: class probabilities. A model file that does not
 * end in Softmax gets a final `("probs", nn.Softmax(dim=-1))`, which holds no parameters and so changes no key.
 */
import { DATASET_INFO } from '../model/datasets';
import { layerNames, linearInputs } from '../model/build';
import type { LayerSpec, ModelSpec } from '../model/spec';
import { expectedParameters } from './statedict';

export interface SampleImage {
  /** Grey levels 0..255, row-major, as many as the model's input takes. */
  pixels: Uint8Array;
  label: number;
  /** Where it comes from, for the comment: "test image 0 of the embedded MNIST subset". */
  description: string;
}

export interface PythonModuleOptions {
  /** The weights file beside the module: NAME.safetensors. */
  weightsFile: string;
  /** The model file it was exported from, for the docstring. */
  source?: string;
  sample?: SampleImage;
}

/** A Python float literal: 0.5 → 0.5, 1 → 1.0, 1e-7 → 1e-7. */
export function pyFloat(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

/** Python source for one layer, as PyTorch's own constructors are written. */
export function layerSource(l: LayerSpec, inFeatures: number | null): string {
  switch (l.type) {
    case 'Linear':
      return `nn.Linear(${inFeatures ?? l.in ?? 0}, ${l.out}${l.bias === false ? ', bias=False' : ''})`;
    case 'Sigmoid':
    case 'ReLU':
    case 'Tanh':
      return `nn.${l.type}()`;
    case 'Softmax':
    case 'LogSoftmax':
      return `nn.${l.type}(dim=${l.dim ?? 1})`;
    case 'Flatten': {
      const s = l.startDim ?? 1;
      const e = l.endDim ?? -1;
      return s === 1 && e === -1 ? 'nn.Flatten()' : `nn.Flatten(start_dim=${s}, end_dim=${e})`;
    }
    case 'Dropout':
      return `nn.Dropout(p=${pyFloat(l.p ?? 0.5)})`;
  }
}

/** The name of the appended Softmax: "probs", or "probs_2", ... when a layer already has that name. */
export function appendedSoftmaxName(spec: ModelSpec): string | null {
  if (spec.layers[spec.layers.length - 1]?.type === 'Softmax') return null;
  const taken = new Set(layerNames(spec));
  let name = 'probs';
  for (let i = 2; taken.has(name); i++) name = `probs_${i}`;
  return name;
}

const py = (s: string): string => JSON.stringify(s);

/** Text safe inside a Python docstring or comment: one line, no backslash escapes, no closing quotes. */
export function plainText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ').replace(/\\/g, '/').replace(/"/g, "'");
}

/** What the docstring says about the last layer and the loss. */
function outputNote(spec: ModelSpec, appended: string | null): string {
  const last = spec.layers[spec.layers.length - 1]?.type;
  const loss = spec.train.loss;
  if (appended === null) {
    const forLoss =
      loss === 'cross_entropy'
        ? 'To train it with nn.CrossEntropyLoss, which wants logits (NN Lens computes\ncross_entropy on them too), call model[:-1]: the same layers and parameters without the final Softmax.'
        : loss === 'nll_loss'
          ? 'For nn.NLLLoss, which wants log-probabilities, end the model with nn.LogSoftmax instead of the Softmax.'
          : 'model[:-1] gives the output before the final Softmax, with the same parameters.';
    return `Like NN Lens's predictions, the model returns class probabilities: its last layer is Softmax.\n${forLoss}`;
  }
  const before =
    last === 'LogSoftmax'
      ? 'The model file ends with LogSoftmax (log-probabilities)'
      : 'The model file ends with logits (no Softmax)';
  const forLoss =
    last === 'LogSoftmax'
      ? 'For nn.NLLLoss, call model[:-1]: the same layers and parameters, returning log-probabilities.'
      : 'To train it with nn.CrossEntropyLoss, which wants logits, call model[:-1]: the same layers and parameters\nwithout the Softmax.';
  return `${before}; NN Lens's predictions are class probabilities, so build_model() appends\n(${py(appended)}, nn.Softmax(dim=-1)), which has no parameters and changes no state_dict key.\n${forLoss}`;
}

/** Sample pixels as rows of hex (two digits a pixel), one string per image row. */
function hexRows(pixels: Uint8Array, rowLength: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < pixels.length; i += rowLength) {
    rows.push([...pixels.subarray(i, i + rowLength)].map((v) => v.toString(16).padStart(2, '0')).join(''));
  }
  return rows;
}

/** The dataset's class names when the model has one output per class. */
function classNamesOf(spec: ModelSpec): string[] | null {
  const names = DATASET_INFO[spec.input.dataset].classNames;
  const last = [...spec.layers].reverse().find((l) => l.type === 'Linear');
  return last && last.type === 'Linear' && last.out === names.length ? names : null;
}

function mainBlock(spec: ModelSpec, sample: SampleImage | undefined): string {
  const shape = spec.input.shape.join(', ');
  const classes = classNamesOf(spec);
  const predicted = classes
    ? `    best = int(probs.argmax(dim=-1).flatten()[0])\n    print(f"predicted: {CLASSES[best]} (probability {float(probs.flatten()[best]):.4f})${sample ? ', true: {CLASSES[TEST_LABEL]}' : ''}")\n`
    : `    print(f"predicted: {int(probs.argmax(dim=-1).flatten()[0])}${sample ? ', true: {TEST_LABEL}' : ''}")\n`;
  const input = sample
    ? `    x = torch.tensor(list(bytes.fromhex("".join(TEST_IMAGE))), dtype=torch.float32).reshape(1, ${shape}) / 255\n`
    : `    torch.manual_seed(0)\n    x = torch.rand(1, ${shape})  # a random input: there was no test image to embed\n`;
  return `if __name__ == "__main__":
    model = load_model()
    print(model)
${input}    with torch.no_grad():
        probs = model(x)
    print(probs)
${predicted}`;
}

/** The whole module. `spec` must be valid (as loadModelSpec returns it). */
export function pythonModule(spec: ModelSpec, opts: PythonModuleOptions): string {
  const names = layerNames(spec);
  const ins = linearInputs(spec);
  const appended = appendedSoftmaxName(spec);
  const rows = spec.layers.map((l, i) => `        (${py(names[i])}, ${layerSource(l, ins[i])}),`);
  if (appended !== null) rows.push(`        (${py(appended)}, nn.Softmax(dim=-1)),  # added by the export: see the module docstring`);
  const features = spec.input.shape.reduce((a, b) => a * b, 1);
  const params = expectedParameters(spec);
  const keys = params.length ? params.map((p) => `${p.key} [${p.shape.join(', ')}]`).join(', ') : '(none: the model has no Linear layer)';
  const first = spec.layers[0];
  const flattensFirst = first?.type === 'Flatten' && (first.startDim ?? 1) === 1 && (first.endDim ?? -1) === -1;
  const inputShape = spec.input.shape.length === 1 ? `[B, ${features}]` : `[B, ${spec.input.shape.join(', ')}]${flattensFirst ? ` (or [B, ${features}])` : ''}`;
  const seedNote =
    spec.init.scheme === 'pytorch'
      ? `\nWith torch.manual_seed(${spec.init.seed}) just before it, build_model() starts from the same weights as NN Lens's\nuntrained model (init.seed ${spec.init.seed}).`
      : '';
  const info = DATASET_INFO[spec.input.dataset];
  const sample = opts.sample && opts.sample.pixels.length === features ? opts.sample : undefined;
  const rowLength = spec.input.shape[spec.input.shape.length - 1] === 28 || features === 784 ? 28 : features;
  const sampleBlock = sample
    ? `

# ${plainText(sample.description)}: ${info.label} class ${py(info.classNames[sample.label] ?? String(sample.label))}. One string per row of
# grey levels, two hex digits a pixel (00 black, ff white); the model sees them divided by 255.
TEST_LABEL = ${sample.label}
TEST_IMAGE = [
${hexRows(sample.pixels, rowLength).map((r) => `    "${r}",`).join('\n')}
]
`
    : '';
  const classNames = classNamesOf(spec);
  const classes = classNames ? `CLASSES = [${classNames.map(py).join(', ')}]\n` : '';

  return `"""${plainText(spec.name)}: a PyTorch module exported by NN Lens${opts.source ? ` from ${plainText(opts.source)}` : ''}.

    model = load_model()    # the weights in ${opts.weightsFile} beside this file, eval mode
    probs = model(x)        # x: float32 ${inputShape}, grey levels divided by 255

build_model() gives a fresh nn.Sequential with the layer names of the model file, so its state_dict keys are
those of the exported weights: ${keys}.${seedNote}
load_model(path=None) loads the weights (read_safetensors uses the safetensors package when it is installed, else
a minimal reader) and calls eval(), so Dropout is off, as in NN Lens's predictions.
${outputNote(spec, appended)}

Run \`python ${opts.weightsFile.replace(/\.safetensors$/, '.py')}\` to print the model and its output for one test image.
"""
from collections import OrderedDict
import json
import os
import struct
import sys

import torch
from torch import nn

WEIGHTS_FILE = ${py(opts.weightsFile)}
${classes}

def build_model():
    return nn.Sequential(OrderedDict([
${rows.join('\n')}
    ]))


SAFETENSORS_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}


def read_safetensors(path):
    """The tensors of a .safetensors file by name: with the safetensors package when it is installed, else
    with the minimal reader below (an 8-byte little-endian header length, a JSON header, raw little-endian bytes)."""
    try:
        from safetensors.torch import load_file
    except ImportError:
        return read_safetensors_minimal(path)
    return load_file(path)


def read_safetensors_minimal(path):
    if sys.byteorder != "little":
        raise RuntimeError("the minimal safetensors reader needs a little-endian machine: pip install safetensors")
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short to be a safetensors file ({len(data)} bytes)")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"{path}: header length {n} runs past the end of the file ({len(data)} bytes)")
    header = json.loads(data[8:8 + n])
    body = memoryview(data)[8 + n:]
    tensors = OrderedDict()
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] not in SAFETENSORS_DTYPES:
            raise ValueError(f"{path}: tensor {name!r} has dtype {entry['dtype']}, which this reader does not know")
        dtype = SAFETENSORS_DTYPES[entry["dtype"]]
        begin, end = entry["data_offsets"]
        if not 0 <= begin <= end <= len(body):
            raise ValueError(f"{path}: tensor {name!r} has data_offsets {[begin, end]} outside the file")
        raw = bytearray(body[begin:end])
        flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(entry["shape"])
    return tensors


def load_model(path=None):
    """build_model() with the weights of \`path\` (default: ${opts.weightsFile} beside this module), in eval mode."""
    if path is None:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), WEIGHTS_FILE)
    model = build_model()
    model.load_state_dict(read_safetensors(path))
    return model.eval()
${sampleBlock}

${mainBlock(spec, sample)}`;
}
