/** `nnlens predict MODEL --weights W.safetensors --input X.npy [--out Y.npy]`: softmax outputs for each row. */
import * as torch from '../engine';
import { flagHelp, parseArgs, UsageError, type FlagSpec } from './args';
import type { CliIO, Command, ExitCode } from './io';
import { modelWithWeights, readModelSpec, resolvePath } from './common';
import { readNpyFile, writeNpyFile } from '../data/npy';

const FLAGS: FlagSpec[] = [
  { name: 'weights', type: 'string', value: 'W.safetensors', help: 'trained weights (required)' },
  { name: 'input', type: 'string', value: 'X.npy', help: 'inputs: [N, features] or [features] (or [N, 28, 28]); float, or uint8 grey levels (scaled by 1/255)' },
  { name: 'out', type: 'string', value: 'Y.npy', help: 'write the [N, classes] float32 probabilities here instead of printing them' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

const HELP = `Usage: nnlens predict MODEL.nn.json --weights W.safetensors --input X.npy [--out Y.npy]

Runs the model in eval mode and gives the softmax outputs: printed as PyTorch prints a tensor, or saved as .npy.

Options:
${flagHelp(FLAGS)}
`;

/** Shapes the input as [N, features]. */
export function asBatch(x: torch.Tensor, features: number, file: string): torch.Tensor {
  const n = x.numel();
  if (x.ndim >= 1 && n % features === 0 && (x.ndim === 1 ? n === features : x.shape.slice(1).reduce((a, b) => a * b, 1) === features)) {
    const rows = x.ndim === 1 ? 1 : x.shape[0];
    let f = x.reshape([rows, features]);
    if (x.dtype === 'uint8') f = f.to('float32').div(255);
    else if (x.dtype !== 'float32') f = f.to('float32');
    return f;
  }
  throw new Error(`${file}: input of shape [${x.shape.join(', ')}] does not fit a model taking ${features} values per sample: expected [N, ${features}] or [${features}]`);
}

async function run(argv: string[], io: CliIO): Promise<ExitCode> {
  const { positionals, flags } = parseArgs(argv, FLAGS, 'nnlens predict');
  if (flags.help) {
    io.out(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`nnlens predict: expected one MODEL.nn.json, got ${positionals.length ? positionals.join(' ') : 'none'}`);
  if (flags.weights === undefined) throw new UsageError('nnlens predict: --weights W.safetensors is required');
  if (flags.input === undefined) throw new UsageError('nnlens predict: --input X.npy is required');
  const spec = readModelSpec(resolvePath(io.cwd, positionals[0]));
  const model = modelWithWeights(spec, resolvePath(io.cwd, String(flags.weights)));
  const inFile = resolvePath(io.cwd, String(flags.input));
  const features = spec.input.shape.reduce((a, b) => a * b, 1);
  const flat = asBatch(readNpyFile(inFile), features, inFile);
  const x = spec.input.shape.length > 1 ? flat.view([flat.shape[0], ...spec.input.shape]) : flat;
  model.eval();
  const probs = torch.noGrad(() => {
    const y = model.forward(x);
    const last = model.children()[model.children().length - 1];
    return last instanceof torch.nn.Softmax ? y : torch.softmax(y, 1);
  });
  if (flags.out !== undefined) {
    const outFile = resolvePath(io.cwd, String(flags.out));
    writeNpyFile(outFile, probs);
    io.err(`wrote ${outFile}: float32 [${probs.shape.join(', ')}]\n`);
  } else io.out(probs.toString() + '\n');
  return 0;
}

export const predictCommand: Command = { name: 'predict', summary: 'run a trained model on inputs from a .npy file', help: HELP, run };
