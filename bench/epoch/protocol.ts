// The line protocol between bench/engine-epoch.bench.ts and each implementation's process (the Python ones speak the
// same, see common.py): one JSON `ready` line with what the process is, then one JSON result line per `run` request
// read from stdin. Each implementation keeps its data loaded between runs, so the repetitions are interleaved
// without reloading anything.
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { benchData, type BenchData } from '../datasets';

export interface Workload {
  id: string;
  /** Layer widths, input first: [784, 64, 10]. */
  sizes: number[];
  act: 'sigmoid' | 'relu';
  batch: number;
  lr: number;
}

export interface RunRequest {
  cmd: 'run';
  workload: Workload;
  /** Seeds the init and the shuffle. */
  seed: number;
  /** Stop after this many batches (null: the whole epoch). */
  maxBatches: number | null;
}

export interface RunResult {
  /** Training time: the batches, forward, loss, backward, optimiser step (not the test evaluation). */
  seconds: number;
  /** CPU time of the thread that trains, over the same span: the wall time it would take on an idle machine. */
  cpuSeconds: number;
  /** How long that thread waited for a CPU (other processes' load); null where Linux does not say. */
  waitSeconds: number | null;
  batches: number;
  samples: number;
  /** Mean of the batch losses. */
  trainLoss: number;
  /** On the test images, after the batches trained. */
  testAccuracy: number;
  testCount: number;
  threads?: number | null;
  error?: string;
}

export interface ReadyInfo {
  ready: true;
  name: string;
  version: string;
  data: { source: string; train: number; test: number };
  [k: string]: unknown;
}

/**
 * [ns on a CPU, ns waiting for one] of the main thread, or summed over every thread of the process (`all`: the
 * kernel helper's time counts too, and that of V8's own threads), from the scheduler (null where Linux does not say).
 */
function schedstat(all = false): [number, number] | null {
  try {
    const tasks = all ? fs.readdirSync('/proc/self/task') : [String(process.pid)];
    let run = 0;
    let wait = 0;
    for (const t of tasks) {
      try {
        const [r, w] = fs.readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ').map(Number);
        run += r;
        wait += w;
      } catch {
        // a thread that ended between the listing and the read
      }
    }
    return Number.isFinite(run) && Number.isFinite(wait) ? [run, wait] : null;
  } catch {
    return null;
  }
}

/**
 * Times a run: wall time, and the CPU and wait times (see RunResult) of the main thread, or of every thread of the
 * process when `allThreads` (a run that trains on more than one thread).
 */
export class Clock {
  private readonly t0 = performance.now();
  private readonly cpu0 = process.cpuUsage();
  private readonly s0: [number, number] | null;

  constructor(private readonly allThreads = false) {
    this.s0 = schedstat(allThreads);
  }

  stop(): Pick<RunResult, 'seconds' | 'cpuSeconds' | 'waitSeconds'> {
    const seconds = (performance.now() - this.t0) / 1000;
    const s1 = schedstat(this.allThreads);
    if (this.s0 && s1) return { seconds, cpuSeconds: (s1[0] - this.s0[0]) / 1e9, waitSeconds: (s1[1] - this.s0[1]) / 1e9 };
    const c = process.cpuUsage(this.cpu0); // every thread of the process: an upper bound
    return { seconds, cpuSeconds: (c.user + c.system) / 1e6, waitSeconds: null };
  }
}

export type RunFn = (w: Workload, seed: number, maxBatches: number | null) => RunResult | Promise<RunResult>;

/** Serves the protocol on stdin/stdout. */
export async function serve(info: Omit<ReadyInfo, 'ready' | 'data'>, data: BenchData, run: RunFn): Promise<void> {
  const write = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');
  write({ ready: true, ...info, data: { source: data.source, train: data.train.count, test: data.test.count } });
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const req = JSON.parse(line) as RunRequest | { cmd: 'quit' };
    if (req.cmd === 'quit') break;
    try {
      write(await run(req.workload, req.seed, req.maxBatches));
    } catch (e) {
      write({ error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
    }
  }
  rl.close();
}

/** The three rows of the table. */
export const WORKLOADS: Workload[] = [
  { id: 'sigmoid-b10', sizes: [784, 64, 10], act: 'sigmoid', batch: 10, lr: 0.1 },
  { id: 'sigmoid-b64', sizes: [784, 64, 10], act: 'sigmoid', batch: 64, lr: 0.1 },
  { id: 'relu-b64', sizes: [784, 256, 256, 10], act: 'relu', batch: 64, lr: 0.05 },
];

/** What an implementation's process sets up once, with its data loaded. */
export interface Implementation {
  info: Omit<ReadyInfo, 'ready' | 'data'>;
  run: RunFn;
}

/** `--serve`: the protocol; else each workload once, printed (a run by hand). */
export async function main(setup: (data: BenchData) => Implementation | Promise<Implementation>): Promise<void> {
  const data = benchData();
  const { info, run } = await setup(data);
  if (process.argv.includes('--serve')) return serve(info, data, run);
  console.log(JSON.stringify({ ...info, data: { source: data.source, train: data.train.count, test: data.test.count } }));
  for (const w of WORKLOADS) {
    const r = await run(w, 0, null);
    console.log(`${w.id}: ${r.seconds.toFixed(2)} s/epoch (${r.batches} batches), train loss ${r.trainLoss.toFixed(4)}, test accuracy ${(100 * r.testAccuracy).toFixed(2)}%`);
  }
}
