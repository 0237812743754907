// One epoch of training, side by side in one run: our engine, PyTorch 1.13 (with its DataLoader, and with batches
// taken by indexing), numpy with hand-written backprop, TensorFlow.js 4.22 (wasm backend with SIMD, and its pure-JS
// cpu backend), on the three workloads of the performance issue:
//   784-64-10 sigmoid at batch 10 and at batch 64 (SGD lr 0.1), 784-256-256-10 ReLU at batch 64 (SGD lr 0.05);
// cross-entropy on the logits, plain SGD, 60,000 shuffled images (bench/datasets.ts: Fashion-MNIST when installed).
//
// Every implementation runs in its own process on ONE thread (PyTorch: torch.set_num_threads(1); PyTorch and numpy:
// OPENBLAS_NUM_THREADS=1; TF.js wasm: setThreadsCount(1)) except ours, which runs as the training worker does: with
// its kernel helper thread on a machine of two CPUs or more (the row `ours-1t` is the same with NNLENS_THREADS=1;
// PyTorch with two threads was slower than with one on every row here), keeps its data loaded, and is asked for one run at a
// time: the repetitions are interleaved (repetition r runs every workload on every implementation, in an order
// rotated by r) so that load from elsewhere on the machine hits all of them alike. The table gives the median of
// the repetitions' wall times, the ratio to PyTorch with its DataLoader (the issue's reference; the median of the
// ratios within each repetition, so that load changing between repetitions cancels out), and the test accuracy
// after the run. A second table gives the CPU time of each training thread (from /proc/<pid>/task/<tid>/schedstat,
// with the time it waited for a CPU; for ours with a helper, every thread of the process): on a machine busy with
// other work, what the wall times of the one-thread rows would be on an idle one. Ours, PyTorch and numpy train whole epochs; the TF.js rows time a fixed number of batches and scale it
// to an epoch (their cells say so), since a whole epoch takes them 14 s to 3 min.
//
// Run: npm run bench -- engine-epoch [--quick]     (or npx tsx bench/engine-epoch.bench.ts [--quick])
// Writes bench/results/engine-epoch.json.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { describeData, TRAIN_COUNT } from './datasets';
import type { ReadyInfo, RunRequest, RunResult, Workload } from './epoch/protocol';
import { WORKLOADS } from './epoch/protocol';
import { QUICK, machine, median, writeResults, type SummaryRow } from './results';

/** NNLENS_PYTHON points at another interpreter (or a missing one, to see the Python rows skipped). */
const PYTHON = process.env.NNLENS_PYTHON ?? '/usr/bin/python3';
const REPS = QUICK ? 1 : 5;
const EPOCH_DIR = path.join(__dirname, 'epoch');
const ONE_THREAD = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

interface ImplDef {
  id: string;
  label: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Batches to time per workload; null: the whole epoch. */
  batches(w: Workload): number | null;
  python?: 'torch' | 'numpy';
}

const node = (file: string, ...args: string[]): Pick<ImplDef, 'command' | 'args'> => ({ command: process.execPath, args: ['--import', 'tsx', path.join(EPOCH_DIR, file), '--serve', ...args] });
const python = (file: string, ...args: string[]): Pick<ImplDef, 'command' | 'args'> => ({ command: PYTHON, args: [path.join(EPOCH_DIR, file), '--serve', ...args] });
const whole = (): null => null;

/**
 * About 1.5-4 s of each TF.js row per repetition on this machine (an epoch is 6,000 batches at 10, 938 at 64); the
 * time per batch is steady after the warm-up, so the scaled figure is that of a whole epoch.
 */
const TFJS_BATCHES: Record<string, Record<string, number>> = {
  'tfjs-wasm': { 'sigmoid-b10': 600, 'sigmoid-b64': 150, 'relu-b64': 60 },
  'tfjs-cpu': { 'sigmoid-b10': 300, 'sigmoid-b64': 60, 'relu-b64': 20 },
};

const IMPLS: ImplDef[] = [
  { id: 'ours', label: 'NN Lens engine (the Trainer, as the worker runs it{threads})', ...node('ours.ts'), batches: whole },
  { id: 'ours-1t', label: 'NN Lens engine, kernels on 1 thread (NNLENS_THREADS=1)', ...node('ours.ts'), env: { NNLENS_THREADS: '1' }, batches: whole },
  { id: 'pytorch-dataloader', label: 'PyTorch {v}, DataLoader, 1 thread', ...python('pytorch_epoch.py', '--loader', 'dataloader'), env: ONE_THREAD, batches: whole, python: 'torch' },
  { id: 'pytorch-index', label: 'PyTorch {v}, batches by indexing (no DataLoader), 1 thread', ...python('pytorch_epoch.py', '--loader', 'index'), env: ONE_THREAD, batches: whole, python: 'torch' },
  { id: 'numpy', label: 'numpy {v} + {blas}, hand-written backprop, 1 thread', ...python('numpy_epoch.py'), env: ONE_THREAD, batches: whole, python: 'numpy' },
  { id: 'tfjs-wasm', label: 'TensorFlow.js {v}, wasm backend{simd}, 1 thread', ...node('tfjs.ts', '--backend', 'wasm'), batches: (w) => TFJS_BATCHES['tfjs-wasm'][w.id] },
  { id: 'tfjs-cpu', label: 'TensorFlow.js {v}, cpu backend (pure JS)', ...node('tfjs.ts', '--backend', 'cpu'), batches: (w) => TFJS_BATCHES['tfjs-cpu'][w.id] },
];
const REFERENCE = 'pytorch-dataloader';

/** Multiply-adds ×2 of one epoch: forward, backward to every weight and to every activation but the input. */
function gflop(w: Workload): number {
  let macs = 0;
  for (let i = 1; i < w.sizes.length; i++) macs += w.sizes[i - 1] * w.sizes[i];
  const firstLayer = w.sizes[0] * w.sizes[1];
  return (2 * (3 * macs - firstLayer) * TRAIN_COUNT) / 1e9;
}

/** One implementation's process, speaking bench/epoch/protocol.ts. */
class Child {
  private readonly queue: string[] = [];
  private waiter: ((line: string | null) => void) | null = null;
  private readonly errLines: string[] = [];
  dead: string | null = null;

  private constructor(readonly def: ImplDef, private readonly proc: ChildProcess) {
    readline.createInterface({ input: proc.stdout! }).on('line', (l) => {
      if (!l.startsWith('{')) return this.keep(l);
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(l);
      } else this.queue.push(l);
    });
    readline.createInterface({ input: proc.stderr! }).on('line', (l) => this.keep(l));
    proc.on('exit', (code, signal) => {
      this.dead = `exited (${code ?? signal})${this.errLines.length ? `: ${this.errLines.slice(-3).join(' | ')}` : ''}`;
      this.waiter?.(null);
      this.waiter = null;
    });
    proc.on('error', (e) => {
      this.dead = e.message;
      this.waiter?.(null);
      this.waiter = null;
    });
  }

  private keep(l: string): void {
    if (!l.trim()) return;
    this.errLines.push(l);
    if (this.errLines.length > 20) this.errLines.shift();
  }

  static spawn(def: ImplDef): Child {
    const proc = spawn(def.command, def.args, { env: { ...process.env, ...def.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    return new Child(def, proc);
  }

  private next(timeoutMs: number): Promise<string | null> {
    const q = this.queue.shift();
    if (q !== undefined) return Promise.resolve(q);
    if (this.dead) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        this.dead = `no answer in ${timeoutMs / 1000} s`;
        this.proc.kill();
        resolve(null);
      }, timeoutMs);
      this.waiter = (l) => {
        clearTimeout(timer);
        resolve(l);
      };
    });
  }

  async ready(): Promise<ReadyInfo> {
    const l = await this.next(180_000);
    if (l === null) throw new Error(this.dead ?? 'no ready line');
    return JSON.parse(l) as ReadyInfo;
  }

  async run(req: RunRequest): Promise<RunResult> {
    if (this.dead) return { error: this.dead } as RunResult;
    this.proc.stdin!.write(JSON.stringify(req) + '\n');
    const l = await this.next(20 * 60_000);
    if (l === null) return { error: this.dead ?? 'no answer' } as RunResult;
    return JSON.parse(l) as RunResult;
  }

  quit(): void {
    if (!this.dead) this.proc.stdin!.end(JSON.stringify({ cmd: 'quit' }) + '\n');
  }
}

/** Why /usr/bin/python3 cannot run a module, or null when it can. */
function pythonMissing(module: string): string | null {
  const r = spawnSync(PYTHON, ['-c', `import ${module}`], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...ONE_THREAD } });
  if (r.error) return `${PYTHON}: ${r.error.message}`;
  if (r.status !== 0) return r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`;
  return null;
}

interface Blas {
  libs: string[];
  reference: boolean;
}

function blasName(b: Blas | undefined): string {
  if (!b || b.libs.length === 0) return 'no BLAS library mapped';
  const open = b.libs.map((p) => /libopenblas(p|o)?-r([\d.]+)\.so/.exec(path.basename(p))).find((m) => m);
  if (open) return `OpenBLAS ${open[2]}${open[1] === 'p' ? ' (pthread)' : open[1] === 'o' ? ' (openmp)' : ''}`;
  if (b.reference) return 'the REFERENCE BLAS';
  return path.basename(b.libs[0]);
}

const fmtS = (s: number): string => (!Number.isFinite(s) ? '—' : s < 10 ? `${s.toFixed(2)} s` : s < 100 ? `${s.toFixed(1)} s` : `${s.toFixed(0)} s`);
const pct = (a: number): string => `${(100 * a).toFixed(1)}%`;
const int = (n: number): string => n.toLocaleString('en-US');

type Run = RunResult & { rep: number };

interface Cell {
  impl: string;
  workload: string;
  runs: Run[];
  errors: string[];
  /** Batches timed per run (null: whole epochs). */
  batches: number | null;
  /** Per run, scaled to 60,000 samples: wall seconds, and CPU seconds of the thread that trains. */
  epochSeconds: number[];
  cpuEpochSeconds: number[];
  median: number;
  min: number;
  max: number;
  cpuMedian: number;
  /** Median share of the wall time the training thread waited for a CPU (other processes' load). */
  waitShare: number | null;
  /** Median of the per-repetition ratios to the reference's run of the same repetition (wall, CPU). */
  ratio: number | null;
  cpuRatio: number | null;
  accuracy: number;
  gflops: number;
}

/** Median over the repetitions both cells ran of a's value / b's value in the same repetition. */
function pairedRatio(a: Cell, b: Cell, of: (r: Run) => number): number | null {
  const rs: number[] = [];
  for (const r of a.runs) {
    const q = b.runs.find((x) => x.rep === r.rep);
    if (q) rs.push(of(r) / of(q));
  }
  return rs.length ? median(rs) : null;
}

export async function main(): Promise<void> {
  const t0 = Date.now();
  const loadStart = os.loadavg();
  console.log(`engine epoch: ${REPS} interleaved repetition${REPS > 1 ? 's' : ''}${QUICK ? ' (--quick)' : ''} on ${os.cpus()[0]?.model ?? 'a CPU'} (${os.cpus().length} cores), load average ${loadStart.map((l) => l.toFixed(2)).join(' ')}`);

  // Which implementations can run here.
  const missing = { torch: pythonMissing('torch'), numpy: pythonMissing('numpy') };
  const defs: ImplDef[] = [];
  for (const d of IMPLS) {
    const why = d.python ? missing[d.python] : null;
    if (why) console.log(`  ${d.id}: SKIPPED, ${PYTHON} cannot import ${d.python} (${why})${d.python === 'torch' ? ': apt-get install python3-torch libopenblas0-pthread' : ''}`);
    else defs.push(d);
  }

  // Start them one after the other (loading the data is work too), and say what each one is.
  const children: Child[] = [];
  const infos = new Map<string, ReadyInfo>();
  let dataLine = '';
  for (const d of defs) {
    const c = Child.spawn(d);
    try {
      const info = await c.ready();
      infos.set(d.id, info);
      children.push(c);
      if (!dataLine) dataLine = describeData(info.data.source, info.data.train, info.data.test);
      else if (info.data.source !== infos.get(defs[0].id)?.data.source) console.log(`  WARNING: ${d.id} trains on ${info.data.source}`);
    } catch (e) {
      console.log(`  ${d.id}: could not start: ${(e as Error).message}`);
    }
  }
  const since = (): string => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
  console.log(`data: ${dataLine} (started in ${since()})`);
  const labels = new Map<string, string>();
  for (const c of children) {
    const info = infos.get(c.def.id)!;
    const blas = info.blas as Blas | undefined;
    const v = /([\d]+\.[\d]+)/.exec(info.version)?.[1] ?? info.version;
    labels.set(c.def.id, c.def.label.replace('{v}', v).replace('{blas}', blasName(blas)).replace('{simd}', info.simd === true ? ' with SIMD' : info.simd === false ? ' WITHOUT SIMD' : '')
      .replace('{threads}', typeof info.kernelThreads === 'number' ? `, kernels on ${info.kernelThreads} thread${info.kernelThreads === 1 ? '' : 's'}` : ''));
    const extra: string[] = [];
    if (blas) extra.push(`BLAS ${blasName(blas)}: ${blas.libs.join(', ') || 'none mapped'}`);
    if (info.torchThreads !== undefined) extra.push(`torch.get_num_threads() = ${String(info.torchThreads)}`);
    if (info.simd !== undefined && info.simd !== null) extra.push(`SIMD ${info.simd ? 'on' : 'OFF'}, ${(info.wasmFiles as string[]).join(', ') || 'no .wasm read'}`);
    console.log(`  ${c.def.id}: ${info.version}${extra.length ? `; ${extra.join('; ')}` : ''}`);
    if (blas?.reference) {
      const bar = '!'.repeat(100);
      console.log(`${bar}\n!! WARNING: ${c.def.id} runs on the REFERENCE BLAS (${blas.libs.join(', ')}): about 3 GFLOP/s.\n!! Its times mean nothing as a comparison: apt-get install libopenblas0-pthread (or update-alternatives --config libblas.so.3-x86_64-linux-gnu).\n${bar}`);
    }
    if (info.simd === false) console.log(`!! WARNING: TF.js wasm runs WITHOUT SIMD: its row is not the one the issue compares with`);
  }

  // Warm-up: JIT, caches, lazily compiled kernels; not timed.
  process.stdout.write('warm-up');
  for (const c of children) {
    for (const w of WORKLOADS) await c.run({ cmd: 'run', workload: w, seed: 1000, maxBatches: w.batch === 10 ? 50 : 10 });
    process.stdout.write(` ${c.def.id}`);
  }
  console.log(` (${since()})`);

  // The interleaved repetitions.
  const results = new Map<string, Run[]>();
  const errors = new Map<string, string[]>();
  const key = (impl: string, w: string): string => `${impl}|${w}`;
  for (let rep = 0; rep < REPS; rep++) {
    const order = children.map((_, i) => children[(i + rep) % children.length]);
    for (const w of WORKLOADS) {
      const line: string[] = [];
      for (const c of order) {
        const maxBatches = c.def.batches(w);
        const r = await c.run({ cmd: 'run', workload: w, seed: rep, maxBatches });
        const k = key(c.def.id, w.id);
        if (r.error) {
          (errors.get(k) ?? errors.set(k, []).get(k)!).push(r.error.split('\n')[0]);
          line.push(`${c.def.id} ERROR ${r.error.split('\n')[0]}`);
          continue;
        }
        (results.get(k) ?? results.set(k, []).get(k)!).push({ ...r, rep });
        line.push(`${c.def.id} ${fmtS(r.seconds)} (CPU ${fmtS(r.cpuSeconds)})${maxBatches ? ` ${int(r.batches)} batches` : ''} ${pct(r.testAccuracy)}`);
      }
      console.log(`  rep ${rep + 1}/${REPS} ${w.id}: ${line.join(', ')} (${since()})`);
    }
  }
  for (const c of children) c.quit();

  // Medians, ratios, the tables.
  const perEpoch = (r: RunResult, x: number): number => (x * TRAIN_COUNT) / r.samples;
  const cells: Cell[] = [];
  for (const c of children) {
    for (const w of WORKLOADS) {
      const runs = results.get(key(c.def.id, w.id)) ?? [];
      const eps = runs.map((r) => perEpoch(r, r.seconds));
      const cpu = runs.map((r) => perEpoch(r, r.cpuSeconds));
      const waits = runs.filter((r) => r.waitSeconds !== null).map((r) => (r.waitSeconds ?? 0) / r.seconds);
      const m = median(eps);
      cells.push({
        impl: c.def.id, workload: w.id, runs, errors: errors.get(key(c.def.id, w.id)) ?? [], batches: c.def.batches(w), epochSeconds: eps, cpuEpochSeconds: cpu,
        median: m, min: Math.min(...eps), max: Math.max(...eps), cpuMedian: median(cpu), waitShare: waits.length ? median(waits) : null,
        ratio: null, cpuRatio: null, accuracy: median(runs.map((r) => r.testAccuracy)), gflops: gflop(w) / m,
      });
    }
  }
  const cell = (impl: string, w: string): Cell | undefined => cells.find((c) => c.impl === impl && c.workload === w);
  for (const c of cells) {
    const ref = cell(REFERENCE, c.workload);
    if (!ref) continue;
    c.ratio = pairedRatio(c, ref, (r) => perEpoch(r, r.seconds));
    c.cpuRatio = pairedRatio(c, ref, (r) => perEpoch(r, r.cpuSeconds));
  }
  const colTitle = (w: Workload): string => `${w.sizes.join('-')} ${w.act}, batch ${w.batch} (lr ${w.lr})`;
  const xr = (r: number | null): string => (r === null ? '—' : `${r.toFixed(2)}×`);
  const text = (c: Cell, cpu = false): string => {
    if (!c.runs.length) return c.errors.length ? `error: ${c.errors[0]}` : '—';
    const from = c.batches ? ` (from ${int(c.batches)} batches)` : '';
    if (cpu) return `${fmtS(c.cpuMedian)}${from} · ${xr(c.cpuRatio)}`;
    const after = c.batches ? ` after ${int(c.batches)} batches` : '';
    return `${fmtS(c.median)}${from} · ${xr(c.ratio)} · ${pct(c.accuracy)}${after}`;
  };
  const tableOf = (cpu: boolean): string => [
    `| implementation | ${WORKLOADS.map(colTitle).join(' | ')} |`,
    `| --- | ${WORKLOADS.map(() => '---').join(' | ')} |`,
    ...children.map((ch) => `| ${labels.get(ch.def.id)} | ${WORKLOADS.map((w) => text(cell(ch.def.id, w.id)!, cpu)).join(' | ')} |`),
  ].join('\n');
  const loadEnd = os.loadavg();
  const table = tableOf(false);
  const cpuTable = tableOf(true);
  const allWaits = cells.flatMap((c) => c.runs.filter((r) => r.waitSeconds !== null).map((r) => (r.waitSeconds ?? 0) / r.seconds));
  const waitAll = allWaits.length ? median(allWaits) : null;
  const busy = loadStart[0] > os.cpus().length || (waitAll !== null && waitAll > 0.1);
  const loadText = `load average ${loadStart.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadEnd.map((l) => l.toFixed(2)).join(' ')} at the end${waitAll === null ? '' : `; the training threads waited for a CPU ${pct(waitAll)} of the time (median)`}`;
  console.log(`\nOne epoch of ${dataLine}: median wall-clock s/epoch of ${REPS} interleaved run${REPS > 1 ? 's' : ''} · ratio to PyTorch with its DataLoader (median of the per-repetition ratios) · test accuracy after the run`);
  console.log(table);
  console.log(`(${os.cpus().length} cores, one thread per implementation but ours, which has its kernel helper (ours-1t: none); ${loadText})`);
  if (busy) console.log(`WARNING: the machine was busy with other work: wall times are inflated and noisy. The CPU times below are what the runs cost their thread, close to the wall times of an idle machine.`);
  console.log(`\nCPU time of the training thread per epoch (median) · ratio to PyTorch with its DataLoader (median of the per-repetition ratios):`);
  console.log(cpuTable);

  console.log(`\nspread (min – max wall s/epoch), arithmetic rate at the median (${WORKLOADS.map((w) => `${gflop(w).toFixed(1)} GFLOP/epoch for ${w.id}`).join(', ')}), time waiting for a CPU:`);
  for (const ch of children) {
    const parts = WORKLOADS.map((w) => {
      const c = cell(ch.def.id, w.id)!;
      return c.runs.length ? `${w.id} ${fmtS(c.min)} – ${fmtS(c.max)}, ${c.gflops.toFixed(2)} GFLOP/s${c.waitShare === null ? '' : `, waited ${pct(c.waitShare)}`}` : `${w.id} —`;
    });
    console.log(`  ${ch.def.id.padEnd(18)} ${parts.join('; ')}`);
  }

  // The issue's targets.
  const summary: SummaryRow[] = [];
  const ours = (w: string): Cell | undefined => cell('ours', w);
  const ratioRow = (w: Workload, limit: number): void => {
    const o = ours(w.id);
    const ref = cell(REFERENCE, w.id);
    if (!o || !ref || o.ratio === null) return;
    summary.push({ metric: `epoch ${w.sizes.join('-')} ${w.act} b${w.batch}: ours / PyTorch`, value: `${o.ratio.toFixed(2)} (${fmtS(o.median)} vs ${fmtS(ref.median)}; CPU time ${o.cpuRatio?.toFixed(2) ?? '—'})`, target: `≤ ${limit}`, ok: o.ratio <= limit });
  };
  const [b10, b64, relu] = WORKLOADS;
  ratioRow(b10, 0.5);
  const np = cell('numpy', b10.id);
  const o10 = ours(b10.id);
  const npr = np && o10 ? pairedRatio(o10, np, (r) => r.seconds / r.samples) : null;
  if (np && o10 && npr !== null) {
    const cpu = pairedRatio(o10, np, (r) => r.cpuSeconds / r.samples);
    summary.push({ metric: `epoch ${b10.sizes.join('-')} ${b10.act} b${b10.batch}: ours / numpy+BLAS`, value: `${npr.toFixed(2)} (${fmtS(o10.median)} vs ${fmtS(np.median)}; CPU time ${cpu?.toFixed(2) ?? '—'})`, target: 'aim: 1.0', ok: npr <= 1 });
  }
  ratioRow(b64, 1);
  ratioRow(relu, 1.5);
  for (const w of WORKLOADS) {
    const t = cell('tfjs-wasm', w.id);
    const o = ours(w.id);
    const r = t && o ? pairedRatio(t, o, (x) => x.seconds / x.samples) : null;
    if (!t || !o || r === null) continue;
    const cpu = pairedRatio(t, o, (x) => x.cpuSeconds / x.samples);
    summary.push({ metric: `epoch ${w.sizes.join('-')} ${w.act} b${w.batch}: TF.js wasm / ours`, value: `${r.toFixed(1)}× (${fmtS(t.median)} from ${int(t.batches ?? 0)} batches vs ${fmtS(o.median)}; CPU time ${cpu?.toFixed(1) ?? '—'}×)`, target: '≥ 8×', ok: r >= 8 });
  }
  const accParts = WORKLOADS.map((w) => {
    const o = ours(w.id);
    const p = cell(REFERENCE, w.id);
    return `${w.id} ${o?.runs.length ? pct(o.accuracy) : '—'} / ${p?.runs.length ? pct(p.accuracy) : '—'}`;
  });
  summary.push({ metric: 'epoch test accuracy, ours / PyTorch', value: accParts.join(', '), target: '', ok: null });
  const pyBlas = [...infos.entries()].filter(([, i]) => i.blas);
  if (pyBlas.length) {
    const ref = pyBlas.some(([, i]) => (i.blas as Blas).reference);
    summary.push({ metric: 'BLAS of the Python rows', value: [...new Set(pyBlas.map(([, i]) => blasName(i.blas as Blas)))].join(', '), target: 'not the reference BLAS', ok: !ref });
  }
  if (busy) summary.push({ metric: 'epoch runs: machine load', value: `busy (${loadText})`, target: 'an idle machine', ok: false });
  console.log('\ntargets (ratios: medians of the per-repetition ratios, wall clock; CPU time beside):');
  for (const s of summary) console.log(`  ${s.metric}: ${s.value}${s.target ? ` (target ${s.target}: ${s.ok ? 'met' : 'MISSED'})` : ''}`);

  const file = writeResults('engine-epoch', summary, {
    reps: REPS,
    data: dataLine,
    loadavgStart: loadStart,
    loadavgEnd: loadEnd,
    machine: machine(),
    seconds: (Date.now() - t0) / 1000,
    implementations: Object.fromEntries([...infos.entries()].map(([id, i]) => [id, { ...i, label: labels.get(id) }])),
    skipped: IMPLS.filter((d) => !children.some((c) => c.def.id === d.id)).map((d) => d.id),
    workloads: WORKLOADS.map((w) => ({ ...w, gflopPerEpoch: +gflop(w).toFixed(2) })),
    reference: REFERENCE,
    cells: cells.map((c) => ({ ...c, medianSeconds: c.median, table: text(c), cpuTable: text(c, true) })),
    waitShare: waitAll,
    busy,
    table,
    cpuTable,
  });
  console.log(`\nwritten to ${path.relative(process.cwd(), file)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
