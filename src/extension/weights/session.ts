/**
 * One open weight file as the editor's host side sees it: the tensor list from the header, statistics filled in
 * by a background streaming pass (tensor by tensor, chunk by chunk, paused while a view is being read so the shown
 * tensor comes first), and views computed on request. Pure: no `vscode`; the provider and the benchmark use it.
 */
import * as path from 'node:path';
import type { TensorStats, WeightFileInfo, WeightTensorInfo } from '../../protocol';
import { Cancelled, gather, Job, wholeView } from './gather';
import { StatsSink } from './reduce';
import { openSource, Scratch, type SourceEntry, type TensorSource } from './source';
import { computeView, type ComputedView } from './view';

export const TORCH_DTYPE: Record<string, string> = { float32: 'float32', float64: 'float64', int64: 'int64', uint8: 'uint8', bool: 'bool', float16: 'float16', bfloat16: 'bfloat16' };

export class WeightSession {
  private readonly stats = new Map<string, TensorStats>();
  private activeViews = 0;
  private resumeStats: (() => void) | null = null;
  private statsJob: Job | null = null;
  private closed = false;

  private constructor(readonly source: TensorSource) {}

  /** Opens the file and validates its header (throws an Error naming the file and the problem). */
  static open(file: string): WeightSession {
    return new WeightSession(openSource(file));
  }

  get file(): string {
    return this.source.file;
  }

  info(trusted: boolean): WeightFileInfo {
    const s = this.source;
    return {
      name: path.basename(s.file),
      path: s.file,
      format: s.format,
      bytes: s.size,
      metadata: { ...s.metadata },
      trusted,
      tensors: s.entries.map((e): WeightTensorInfo => ({
        name: e.name, dtype: TORCH_DTYPE[e.dtype] ?? e.dtype, fileDType: e.fileDType, shape: e.shape.slice(), numel: e.numel, bytes: e.bytes, stats: this.stats.get(e.name) ?? null,
      })),
    };
  }

  statsOf(name: string): TensorStats | undefined {
    return this.stats.get(name);
  }

  entry(name: string): SourceEntry | undefined {
    return this.source.entry(name);
  }

  /** Shows `name[index]`; statistics of a whole tensor go to the cache (and `onStats`). */
  async view(name: string, index: string, job: Job, onStats?: (name: string, stats: TensorStats) => void): Promise<ComputedView> {
    const entry = this.source.entry(name);
    if (!entry) throw new Error(`${path.basename(this.source.file)} has no tensor named "${name}"`);
    this.activeViews++;
    try {
      const r = await computeView(this.source, entry, index, job, this.stats.get(name));
      if (r.view.index === '' && !this.stats.has(name)) {
        this.stats.set(name, r.stats);
        onStats?.(name, r.stats);
      }
      return r;
    } finally {
      this.activeViews--;
      if (this.activeViews === 0) {
        const go = this.resumeStats;
        this.resumeStats = null;
        go?.();
      }
    }
  }

  /** Waits while a view is being read. */
  private async yieldToViews(): Promise<void> {
    while (this.activeViews > 0 && !this.closed) await new Promise<void>((r) => (this.resumeStats = r));
  }

  /**
   * Computes the statistics of every tensor not yet known, in file order, reporting them in batches (at most one
   * batch per `everyMs`). Resolves when done or stopped (`stopStats`, `close`).
   */
  async computeAllStats(report: (batch: { name: string; stats: TensorStats }[]) => void, everyMs = 150): Promise<void> {
    if (this.statsJob) return;
    const job = new Job();
    this.statsJob = job;
    const scratch = new Scratch();
    let batch: { name: string; stats: TensorStats }[] = [];
    let last = Date.now();
    const flush = () => {
      if (batch.length) report(batch);
      batch = [];
      last = Date.now();
    };
    try {
      for (const e of this.source.entries) {
        if (this.stats.has(e.name)) continue;
        await this.yieldToViews();
        job.check();
        if (this.stats.has(e.name)) continue;
        const sink = new StatsSink();
        // A view may start meanwhile: the pass yields to it between chunks.
        await gather(this.source, e, wholeView(e.shape), [sink], job, scratch, () => this.yieldToViews());
        const s = sink.result();
        if (!this.stats.has(e.name)) {
          this.stats.set(e.name, s);
          batch.push({ name: e.name, stats: s });
        }
        if (Date.now() - last >= everyMs) flush();
      }
      flush();
    } catch (e) {
      if (!(e instanceof Cancelled)) throw e;
    } finally {
      if (this.statsJob === job) this.statsJob = null;
    }
  }

  stopStats(): void {
    this.statsJob?.cancel();
    this.statsJob = null;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopStats();
    const go = this.resumeStats;
    this.resumeStats = null;
    go?.();
    await this.source.close();
  }
}
