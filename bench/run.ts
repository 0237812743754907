// `npm run bench`: every benchmark in bench/*.bench.ts, one after the other, each in its own process so that
// one's JIT state and garbage do not colour the next, then one summary table of the figures the performance issue
// asks for, with their targets (collected from bench/results/*.json, written by the benches of this run).
// Figures, not tests: nothing here fails the build.
//
//   npm run bench                          everything (about 15-20 minutes on the project's 2-core machine)
//   npm run bench -- engine-epoch          the benches whose file name contains one of the words
//   npm run bench -- --quick [words...]    fewer repetitions (passed on to every bench)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RESULTS_DIR, type ResultFile } from './results';

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const only = args.filter((a) => !a.startsWith('--'));
const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
/** Benches that load the built extension from dist/. */
const NEEDS_DIST = ['activation.bench.ts', 'visualizer-reopen.bench.ts'];
/** The order of the summary (others follow). */
const ORDER = ['engine-epoch', 'host-event-loop', 'edit-to-view', 'webview-render', 'activation', 'vsix-size', 'weights-open'];

const start = Date.now();
const load0 = os.loadavg();
if (files.length === 0) console.log(`no bench matches ${only.join(', ')}: ${fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).join(', ')}`);
if (files.some((f) => NEEDS_DIST.includes(f))) {
  console.log('building dist/ (npm run build) for the benches that load the extension bundles');
  const b = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (b.status !== 0) console.log(`  the build failed (exit ${b.status}); those benches measure what dist/ holds:\n${(b.stdout + b.stderr).trim().split('\n').slice(-10).join('\n')}`);
}

const ran: { file: string; seconds: number; status: number | null }[] = [];
for (const f of files) {
  console.log(`\n## ${f}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, f), ...flags], { stdio: 'inherit', cwd: ROOT });
  const seconds = (Date.now() - t0) / 1000;
  ran.push({ file: f, seconds, status: r.status });
  console.log(`(${f}: ${seconds.toFixed(0)} s${r.status ? `, exit ${r.status}` : ''})`);
}

// The summary: the rows each bench of this run left in bench/results/.
const results: ResultFile[] = [];
for (const { file } of ran) {
  const p = path.join(RESULTS_DIR, file.replace(/\.bench\.ts$/, '.json'));
  if (!fs.existsSync(p) || fs.statSync(p).mtimeMs < start) continue;
  try {
    results.push(JSON.parse(fs.readFileSync(p, 'utf8')) as ResultFile);
  } catch {
    // a bench killed while writing: its output above says what it measured
  }
}
const rank = (b: string): number => (ORDER.includes(b) ? ORDER.indexOf(b) : ORDER.length);
results.sort((a, b) => rank(a.bench) - rank(b.bench));
if (ran.length > 1 || results.some((r) => r.summary.length)) {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = [
    '| measure | value | target | |',
    '| --- | --- | --- | --- |',
    ...results.flatMap((r) => r.summary.map((s) => `| ${esc(s.metric)} | ${esc(s.value)} | ${esc(s.target) || '—'} | ${s.ok === null ? '' : s.ok ? 'met' : '**missed**'} |`)),
  ];
  const load1 = os.loadavg();
  const minutes = ((Date.now() - start) / 60000).toFixed(1);
  console.log(`\n## summary${flags.includes('--quick') ? ' (--quick: fewer repetitions)' : ''}`);
  console.log(lines.join('\n'));
  const none = ran.filter((r) => !results.some((x) => `${x.bench}.bench.ts` === r.file));
  if (none.length) console.log(`(figures without a summary row above, in their output: ${none.map((r) => `${r.file}${r.status ? ` (exit ${r.status})` : ''}`).join(', ')})`);
  console.log(`${ran.length} bench${ran.length === 1 ? '' : 'es'} in ${minutes} min on ${os.cpus()[0]?.model ?? 'a CPU'} (${os.cpus().length} cores); load average ${load0.map((l) => l.toFixed(2)).join(' ')} at the start, ${load1.map((l) => l.toFixed(2)).join(' ')} at the end`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'summary.json'), JSON.stringify({ date: new Date(start).toISOString(), minutes: Number(minutes), flags, loadavgStart: load0, loadavgEnd: load1, ran, rows: results.flatMap((r) => r.summary.map((s) => ({ bench: r.bench, ...s }))), table: lines.join('\n') }, null, 2) + '\n');
}
