/** `nnlens export MODEL.nn.json --weights W.safetensors [--out NAME.py]`: a PyTorch module and its weights. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flagHelp, parseArgs, UsageError, type FlagSpec } from './args';
import type { CliIO, Command, ExitCode } from './io';
import { readModelSpec, resolvePath } from './common';
import { findEmbeddedDir } from '../data/dataset';
import type { ModelSpec } from '../model/spec';
import { exportToPyTorch, isPythonIdentifier, moduleNameFor, writePyTorchExport } from '../bridge/export';
import { readStateDictFile } from '../bridge/read-weights';
import { sampleFits, testSample } from '../bridge/sample';
import type { SampleImage } from '../bridge/python-module';

const FLAGS: FlagSpec[] = [
  { name: 'weights', type: 'string', value: 'W.safetensors', help: 'the weights to export (.safetensors, .npz or a .npy dict; required)' },
  { name: 'out', type: 'string', value: 'NAME.py', help: 'the module to write; NAME.safetensors goes beside it (default: the model file\'s name, beside it)' },
  { name: 'data', type: 'string', value: 'DIR', help: 'dataset folder whose test image the module\'s __main__ embeds (default: the embedded MNIST subset)' },
  { name: 'sample', type: 'int', value: 'N', help: 'which test image to embed (default 0)' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

const HELP = `Usage: nnlens export MODEL.nn.json --weights W.safetensors [--out NAME.py]

Writes NAME.py and NAME.safetensors side by side (each whole or not at all). NAME.py defines the model as
nn.Sequential(OrderedDict(...)) with the model file's layer names, so state_dict keys match; build_model() (fresh),
load_model(path=None) (the exported weights, eval mode: it returns the class probabilities NN Lens predicts), and a
__main__ that prints the model and its output for one embedded test image. It needs only torch.

Options:
${flagHelp(FLAGS)}
`;

function pickSample(spec: ModelSpec, dataFlag: string | undefined, index: number, io: CliIO): { sample?: SampleImage; note?: string } {
  let s: SampleImage;
  if (dataFlag !== undefined) {
    const dir = resolvePath(io.cwd, dataFlag);
    s = testSample(dir, index);
  } else if (spec.input.dataset === 'mnist') {
    s = testSample(findEmbeddedDir(io.home), index, 'the embedded MNIST subset');
  } else {
    return { note: `no test image embedded (the model reads ${spec.input.dataset}: pass --data DIR); __main__ uses a random input` };
  }
  if (!sampleFits(spec, s)) return { note: `the test images have ${s.pixels.length} pixels but the model takes ${spec.input.shape.join('×')} values: __main__ uses a random input` };
  return { sample: s };
}

async function run(argv: string[], io: CliIO): Promise<ExitCode> {
  const { positionals, flags } = parseArgs(argv, FLAGS, 'nnlens export');
  if (flags.help) {
    io.out(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`nnlens export: expected one MODEL.nn.json, got ${positionals.length ? positionals.join(' ') : 'none'}`);
  if (flags.weights === undefined) throw new UsageError('nnlens export: --weights W.safetensors is required (train with `nnlens train MODEL --out W.safetensors`)');
  const modelFile = resolvePath(io.cwd, positionals[0]);
  const outFile = flags.out !== undefined ? resolvePath(io.cwd, String(flags.out)) : path.join(path.dirname(modelFile), `${moduleNameFor(modelFile)}.py`);
  if (!outFile.endsWith('.py')) throw new UsageError(`nnlens export: --out must name a .py file, got ${String(flags.out)}`);
  const outDir = path.dirname(outFile);
  if (!fs.existsSync(outDir) || !fs.statSync(outDir).isDirectory()) throw new Error(`${outDir}: folder not found`);
  const moduleName = path.basename(outFile, '.py');

  const spec = readModelSpec(modelFile);
  const weightsFile = resolvePath(io.cwd, String(flags.weights));
  const weights = readStateDictFile(weightsFile);
  const { sample, note } = pickSample(spec, flags.data as string | undefined, (flags.sample as number | undefined) ?? 0, io);
  let exp;
  try {
    exp = exportToPyTorch(spec, weights, { moduleName, source: path.basename(modelFile), sample });
  } catch (e) {
    throw new Error(`${weightsFile}: ${(e as Error).message}`);
  }
  const written = writePyTorchExport(outDir, exp);
  io.out(`${written.python}\n${written.weights}\n`);
  if (note) io.err(`note: ${note}\n`);
  if (!isPythonIdentifier(moduleName)) io.err(`note: "${moduleName}" is not a Python identifier, so \`import ${moduleName}\` will not work (\`python ${path.basename(outFile)}\` does)\n`);
  io.err(`try it: python ${path.relative(io.cwd, written.python)}\n`);
  return 0;
}

export const exportCommand: Command = { name: 'export', summary: 'write a PyTorch module (.py) and its weights (.safetensors)', help: HELP, run };
