// The line protocol between bench/engine-epoch.bench.ts and each implementation's process (the Python ones speak the
// same, see common.py): one JSON `ready` line with what the process is, then one JSON result line per `run` request
// read from stdin. Each implementation keeps its data loaded between runs, so the repetitions are interleaved
// without reloading anything.
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
