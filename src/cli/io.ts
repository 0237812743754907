/** What a command writes to and reads from, so the commands run the same in a terminal and in tests. */

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress bars redraw in place). */
  isTTY: boolean;
  /** Terminal width, for the progress bar. */
  columns: number;
  cwd: string;
  /** Where dist/cli.js (or src/cli when run from source) lives: the embedded data is found from here. */
  home: string;
}

export function processIO(home: string): CliIO {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    columns: process.stderr.columns || 80,
    cwd: process.cwd(),
    home,
  };
}

/** A command's outcome: 0 success, 1 failure, 2 bad usage. */
export type ExitCode = 0 | 1 | 2;

export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[], io: CliIO): Promise<ExitCode>;
}
