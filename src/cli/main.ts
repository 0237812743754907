/**
 * The `nnlens` command (bundled to dist/cli.js). Subcommands live in a table so new ones (export, import, bench)
 * slot in with one line. Exit codes: 0 success, 1 failure, 2 bad usage.
 */
import { UsageError } from './args';
import { processIO, type CliIO, type Command, type ExitCode } from './io';
import { trainCommand } from './train';
import { predictCommand } from './predict';
import { inspectCommand } from './inspect';
import { exportCommand } from './export';
import { importCommand } from './import';

export const COMMANDS: readonly Command[] = [trainCommand, predictCommand, inspectCommand, exportCommand, importCommand];

export function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: nnlens <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}

Run \`nnlens <command> --help\` for a command's options.
`;
}

export async function runCli(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0]) return runCli([rest[0], '--help'], io);
    io.out(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.out('nnlens 0.1.0\n');
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`nnlens: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\nRun \`nnlens ${cmd.name} --help\` for usage.\n`);
      return 2;
    }
    io.err(`nnlens ${cmd.name}: error: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), processIO(__dirname)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`nnlens: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
