/** `nnlens inspect FILE`: tensors of a .safetensors/.npy file (stats and PyTorch print), or a model's layer table. */
import * as torch from '../engine';
import { flagHelp, parseArgs, UsageError, type FlagSpec } from './args';
import type { CliIO, Command, ExitCode } from './io';
import { int, printable, readModelSpec, resolvePath } from './common';
import { SafetensorsFile } from '../data/safetensors';
import { NpyFile } from '../data/npy';
import { buildModel, layerNames, linearInputs } from '../model/build';
import type { ModelSpec } from '../model/spec';

const FLAGS: FlagSpec[] = [
  { name: 'json', type: 'bool', help: 'one JSON object per tensor (or per layer) instead of text' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

const HELP = `Usage: nnlens inspect FILE [--json]

FILE is a .safetensors, .npy or .nn.json file.
  tensors: each tensor's name, dtype, shape, min/max/mean/std and its PyTorch-style print
  model:   the layer table (output shapes, parameter counts) and the PyTorch module print

Options:
${flagHelp(FLAGS)}
`;

export interface TensorStats {
  min: number;
  max: number;
  mean: number;
  std: number;
}

/** min/max/mean and the unbiased std (as torch.std), in double precision; null for an empty tensor. */
export function tensorStats(t: torch.Tensor): TensorStats | null {
  const d = t.toArray();
  const n = d.length;
  if (n === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = d[i];
    if (v < min) min = v;
    if (v > max) max = v;
    s += v;
  }
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (d[i] - mean) ** 2;
  return { min, max, mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN };
}

const g = (x: number): string => (Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : String(x).replace('Infinity', 'inf').toLowerCase());

function tensorBlock(name: string, t: torch.Tensor, json: boolean): string {
  const st = tensorStats(t);
  if (json) return JSON.stringify({ name, dtype: t.dtype, shape: t.shape.slice(), numel: t.numel(), ...(st ?? {}) }) + '\n';
  const stats = st ? `min ${g(st.min)}  max ${g(st.max)}  mean ${g(st.mean)}  std ${g(st.std)}` : 'empty';
  return `${printable(name)}: ${t.dtype} torch.Size([${t.shape.join(', ')}])  ${int(t.numel())} values\n  ${stats}\n${t.toString()}\n\n`;
}

export interface LayerRow {
  index: number;
  name: string;
  type: string;
  outShape: (number | 'B')[];
  params: number;
}

/** Output shape and parameter count of every layer. */
export function layerTable(spec: ModelSpec): LayerRow[] {
  const names = layerNames(spec);
  const ins = linearInputs(spec);
  let shape: (number | 'B')[] = ['B', ...spec.input.shape];
  return spec.layers.map((l, i) => {
    let params = 0;
    if (l.type === 'Linear') {
      shape = [...shape.slice(0, -1), l.out];
      params = (ins[i] ?? 0) * l.out + (l.bias === false ? 0 : l.out);
    } else if (l.type === 'Flatten') {
      const nd = shape.length;
      const s = ((l.startDim ?? 1) + nd) % nd;
      const e = ((l.endDim ?? -1) + nd) % nd;
      const mid = shape.slice(s, e + 1);
      shape = [...shape.slice(0, s), mid.includes('B') ? 'B' : (mid as number[]).reduce((a, b) => a * b, 1), ...shape.slice(e + 1)];
    }
    return { index: i, name: names[i], type: l.type, outShape: shape.slice(), params };
  });
}

function inspectModel(file: string, json: boolean): string {
  const spec = readModelSpec(file);
  const rows = layerTable(spec);
  const total = rows.reduce((a, r) => a + r.params, 0);
  if (json) return rows.map((r) => JSON.stringify(r)).join('\n') + '\n' + JSON.stringify({ type: 'total', params: total }) + '\n';
  const table = [['#', 'name', 'type', 'output shape', 'params'], ['', 'input', '', `[B, ${spec.input.shape.join(', ')}]`, '']];
  for (const r of rows) table.push([String(r.index), r.name, r.type, `[${r.outShape.join(', ')}]`, r.params ? int(r.params) : '']);
  const w = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const lines = table.map((row) => row.map((cell, c) => (c === 4 ? cell.padStart(w[c]) : cell.padEnd(w[c]))).join('  ').trimEnd());
  return printable(`${spec.name} (${spec.input.dataset}, input [${spec.input.shape.join(', ')}])\n${lines.join('\n')}\ntotal parameters: ${int(total)}\n\n${buildModel(spec).toString()}\n`);
}

async function run(argv: string[], io: CliIO): Promise<ExitCode> {
  const { positionals, flags } = parseArgs(argv, FLAGS, 'nnlens inspect');
  if (flags.help) {
    io.out(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`nnlens inspect: expected one FILE, got ${positionals.length ? positionals.join(' ') : 'none'}`);
  const file = resolvePath(io.cwd, positionals[0]);
  const json = flags.json === true;
  if (file.endsWith('.safetensors')) {
    const f = SafetensorsFile.open(file);
    try {
      if (!json) io.out(`${file}: ${f.names.length} tensor${f.names.length === 1 ? '' : 's'}${Object.keys(f.header.metadata).length ? `, metadata ${JSON.stringify(f.header.metadata)}` : ''}\n\n`);
      for (const name of f.names) io.out(tensorBlock(name, f.readTensor(name), json));
    } finally {
      f.close();
    }
  } else if (file.endsWith('.npy')) {
    const f = NpyFile.open(file);
    try {
      io.out(tensorBlock(positionals[0], f.read(), json));
    } finally {
      f.close();
    }
  } else if (file.endsWith('.json') || file.endsWith('.jsonc')) {
    io.out(inspectModel(file, json));
  } else {
    throw new UsageError(`nnlens inspect: ${positionals[0]}: expected a .safetensors, .npy or .nn.json file`);
  }
  return 0;
}

export const inspectCommand: Command = { name: 'inspect', summary: 'show the tensors of a .safetensors/.npy file or the layers of a model', help: HELP, run };
