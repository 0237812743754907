/** `nnlens import FILE.py [--out MODEL.nn.json]`: a PyTorch model definition → a model file, without running Python. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { flagHelp, parseArgs, UsageError, type FlagSpec } from './args';
import type { CliIO, Command, ExitCode } from './io';
import { resolvePath } from './common';
import { writeFileAtomic } from '../data/fileio';
import { importFromPython } from '../bridge/import';

const FLAGS: FlagSpec[] = [
  { name: 'out', type: 'string', value: 'MODEL.nn.json', help: 'write the model file here instead of printing it' },
  { name: 'name', type: 'string', value: 'NAME', help: 'the model\'s "name" (default: the class or variable name)' },
  { name: 'force', type: 'bool', help: 'replace --out if it exists' },
  { name: 'help', type: 'bool', help: 'show this help' },
];

const HELP = `Usage: nnlens import FILE.py [--out MODEL.nn.json]

Reads the first nn.Sequential(...) (positional, or OrderedDict([("name", layer), ...])) or class deriving from
nn.Module (layers assigned in __init__, applied in order in forward) and writes the equivalent model file, with
the loss, optimiser, seed, batch size and epochs the script states. The Python is parsed, never run.
Every construct that could not be translated is listed as FILE:LINE: error: ...; caveats as warnings.

Exit codes: 0 translated, 1 something could not be translated (the model file is still written when there is
one, for you to finish) or no model was found, 2 bad usage.

Options:
${flagHelp(FLAGS)}
`;

async function run(argv: string[], io: CliIO): Promise<ExitCode> {
  const { positionals, flags } = parseArgs(argv, FLAGS, 'nnlens import');
  if (flags.help) {
    io.out(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`nnlens import: expected one FILE.py, got ${positionals.length ? positionals.join(' ') : 'none'}`);
  const file = resolvePath(io.cwd, positionals[0]);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(err.code === 'ENOENT' ? `${file}: file not found` : err.code === 'EISDIR' ? `${file}: is a folder, not a Python file` : `${file}: cannot read (${err.message})`);
  }
  const outFile = flags.out !== undefined ? resolvePath(io.cwd, String(flags.out)) : null;
  if (outFile !== null && fs.existsSync(outFile) && !flags.force) throw new Error(`${outFile} exists: pass --force to replace it`);
  if (outFile !== null && outFile === file) throw new Error(`${outFile}: --out would overwrite the Python file being imported`);

  const r = importFromPython(text, { name: flags.name as string | undefined, fileName: path.basename(file) });
  const shown = path.relative(io.cwd, file) || file;
  for (const p of r.problems) io.err(`${shown}:${p.line}: ${p.severity}: ${p.message}\n`);
  if (r.modelJson === null) return 1;
  if (outFile !== null) {
    writeFileAtomic(outFile, [new TextEncoder().encode(r.modelJson)]);
    const n = r.layers?.length ?? 0;
    io.err(`wrote ${outFile} (${r.source?.kind === 'class' ? 'class ' : ''}${r.source?.name}, ${n} layer${n === 1 ? '' : 's'})\n`);
  } else io.out(r.modelJson);
  const errors = r.problems.filter((p) => p.severity === 'error').length;
  if (errors) io.err(`${errors} construct${errors === 1 ? '' : 's'} could not be translated: see above\n`);
  return errors ? 1 : 0;
}

export const importCommand: Command = { name: 'import', summary: 'translate a PyTorch model definition (.py) into a model file', help: HELP, run };
