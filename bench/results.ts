// Where the benchmarks leave their figures: bench/results/<bench>.json (machine-specific, not committed). Each file
// holds the bench's own data and a `summary`: the few rows bench/run.ts collects into the table that ends
// `npm run bench`, each with its target where the performance issue sets one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const RESULTS_DIR = path.join(__dirname, 'results');

export interface SummaryRow {
  metric: string;
  value: string;
  /** e.g. "< 50 ms"; "" when the issue sets none. */
  target: string;
  /** Whether the target is met; null without a target. */
  ok: boolean | null;
}

export interface ResultFile {
  bench: string;
  date: string;
  quick: boolean;
  machine: { cpu: string; cores: number; loadavg: number[]; node: string };
  summary: SummaryRow[];
  data: unknown;
}

/** `--quick` was given (fewer repetitions). */
export const QUICK = process.argv.includes('--quick');

export function machine(): ResultFile['machine'] {
  return { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, loadavg: os.loadavg().map((l) => +l.toFixed(2)), node: process.version };
}

export function writeResults(bench: string, summary: SummaryRow[], data: unknown): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${bench}.json`);
  const out: ResultFile = { bench, date: new Date().toISOString(), quick: QUICK, machine: machine(), summary, data };
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  return file;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export function quantile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}
