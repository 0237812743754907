/** A small argument parser: declared flags only, `--flag value` or `--flag=value`, typed values, clear usage errors. */

export class UsageError extends Error {}

export type FlagType = 'string' | 'int' | 'number' | 'bool';

export interface FlagSpec {
  name: string;
  type: FlagType;
  /** Placeholder in the help, e.g. DIR. */
  value?: string;
  help: string;
}

export type FlagValues = Record<string, string | number | boolean | undefined>;

export interface Parsed {
  positionals: string[];
  flags: FlagValues;
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], command: string): Parsed {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const positionals: string[] = [];
  const flags: FlagValues = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    if (a === '-h') {
      flags.help = true;
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const spec = a.startsWith('--') ? byName.get(name) : undefined;
    if (!spec) throw new UsageError(`${command}: unknown option ${eq < 0 ? a : a.slice(0, eq)}`);
    if (spec.type === 'bool') {
      if (eq >= 0) throw new UsageError(`${command}: --${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = a.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`${command}: --${name} needs a value (${spec.value ?? spec.type})`);
      raw = argv[++i];
    }
    flags[name] = convert(raw, spec, command);
  }
  return { positionals, flags };
}

function convert(raw: string, spec: FlagSpec, command: string): string | number {
  const bad = (what: string): never => {
    throw new UsageError(`${command}: --${spec.name} expects ${what}, got ${JSON.stringify(raw)}`);
  };
  switch (spec.type) {
    case 'string':
      if (raw === '') bad('a value');
      return raw;
    case 'int': {
      if (!/^\d+$/.test(raw)) bad('a non-negative integer');
      const v = Number(raw);
      if (!Number.isSafeInteger(v)) bad('an integer below 2^53');
      return v;
    }
    case 'number': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) bad('a number');
      return v;
    }
    case 'bool':
      return bad('no value');
  }
}

/** The flag table of a help text. */
export function flagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => [`--${s.name}${s.type === 'bool' ? '' : ` ${s.value ?? s.type.toUpperCase()}`}`, s.help]);
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`).join('\n');
}
