/**
 * Streams the elements of a strided view of a tensor in a file, in row-major view order and in chunks of at most
 * CHUNK_ELEMENTS read at once, to sinks (statistics, a picture, a copy). Each chunk is an awaited file read, so the
 * extension host handles other messages between chunks; a job can be cancelled between chunks. Pure: no `vscode`.
 */
import type { Scratch, SourceEntry, TensorSource, Values } from './source';

/** A read covering several rows must be at least this dense in wanted elements (else rows are read apart). */
export const MIN_DENSITY = 1 / 2048;

/** Elements read at once (1 MB of float32): the longest the host is kept busy by one chunk is about a millisecond per 100,000 elements. */
export const CHUNK_ELEMENTS = 1 << 18;

/** A view of a tensor: element (i0, i1, ...) is element `offset + Σ ik·strides[k]` of the row-major tensor. */
export interface ViewGeometry {
  shape: number[];
  strides: number[];
  offset: number;
}

/** Receives `count` consecutive view elements, the first of which has row-major view position `pos`. */
export interface Sink {
  take(values: Values, count: number, pos: number): void;
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/** Cancellation and progress of one pass. */
export class Job {
  cancelled = false;
  constructor(readonly onProgress?: (done: number, total: number) => void) {}

  cancel(): void {
    this.cancelled = true;
  }

  check(): void {
    if (this.cancelled) throw new Cancelled();
  }
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** The whole tensor as a view. */
export function wholeView(shape: readonly number[]): ViewGeometry {
  return { shape: shape.slice(), strides: contiguousStrides(shape), offset: 0 };
}

/**
 * Merges dimensions that are contiguous with each other and drops size-1 ones, keeping the row-major element
 * order: a contiguous view becomes one run, a column slice becomes rows of one element.
 */
export function coalesce(shape: readonly number[], strides: readonly number[]): { shape: number[]; strides: number[] } {
  const sh: number[] = [];
  const st: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = sh.length - 1;
    if (last >= 0 && st[last] === strides[i] * shape[i]) {
      sh[last] *= shape[i];
      st[last] = strides[i];
    } else {
      sh.push(shape[i]);
      st.push(strides[i]);
    }
  }
  return { shape: sh, strides: st };
}

/**
 * Calls every sink with every element of `view`, in row-major order. `pause`, when given, is awaited before each
 * read (a background pass gives way to the view a user asked for).
 */
export async function gather(src: TensorSource, entry: SourceEntry, view: ViewGeometry, sinks: readonly Sink[], job: Job, scratch: Scratch, pause?: () => Promise<void>): Promise<void> {
  const total = numel(view.shape);
  if (total === 0) return;
  const c = coalesce(view.shape, view.strides);
  const nd = c.shape.length;
  const C = nd ? c.shape[nd - 1] : 1;
  const sC = nd ? c.strides[nd - 1] : 1;
  const lead = c.shape.slice(0, Math.max(0, nd - 1));
  const leadStrides = c.strides.slice(0, Math.max(0, nd - 1));
  const rows = numel(lead);
  if (rows === 1 && (sC === 1 || C === 1)) return gatherRun(src, entry, view.offset, C, sinks, job, scratch, pause);
  let done = 0;
  let lastReport = Date.now();

  const emit = (values: Values, count: number, pos: number): void => {
    for (const s of sinks) s.take(values, count, pos);
    done += count;
    const now = Date.now();
    if (job.onProgress && now - lastReport > 100) {
      lastReport = now;
      job.onProgress(done, total);
    }
  };

  // Rows are read in groups: one read covers several rows when their span stays under CHUNK_ELEMENTS and at
  // least MIN_DENSITY of it is wanted (a column of a matrix is read in 1 MB windows, not element by element);
  // elements lie in increasing file order (basic indexing keeps it), so a group is one span of the file.
  const rowSpan = (C - 1) * sC + 1;
  const groupRows = new Float64Array(Math.min(rows, CHUNK_ELEMENTS));
  let picked: Float64Array | null = null;
  let gCount = 0; // rows in the group
  let gStart = 0;
  let gEnd = 0;
  let gPos = 0;
  const flush = async (): Promise<void> => {
    if (gCount === 0) return;
    if (pause) await pause();
    job.check();
    const span = gEnd - gStart;
    const v = await src.read(entry, gStart, span, scratch);
    job.check();
    const n = gCount * C;
    if (n === span) emit(v, n, gPos); // the rows are one contiguous run
    else {
      if (!picked || picked.length < n) picked = new Float64Array(Math.max(n, Math.min(CHUNK_ELEMENTS, 2 * (picked?.length ?? 0))));
      let j = 0;
      for (let g = 0; g < gCount; g++) {
        const base = groupRows[g] - gStart;
        for (let k = 0; k < C; k++) picked[j++] = v[base + k * sC];
      }
      emit(picked, n, gPos);
    }
    gCount = 0;
  };

  const idx = new Array<number>(lead.length).fill(0);
  let rowSrc = view.offset;
  for (let r = 0; r < rows; r++) {
    const pos = r * C;
    if (rowSpan > CHUNK_ELEMENTS) {
      // A long row: spans of at most CHUNK_ELEMENTS, every sC-th element picked.
      await flush();
      const per = Math.max(1, Math.floor((CHUNK_ELEMENTS - 1) / sC) + 1);
      if (!picked || picked.length < Math.min(per, C)) picked = new Float64Array(Math.min(per, C));
      for (let k = 0; k < C; k += per) {
        const n = Math.min(per, C - k);
        if (pause) await pause();
        job.check();
        const v = await src.read(entry, rowSrc + k * sC, (n - 1) * sC + 1, scratch);
        job.check();
        if (sC === 1) emit(v, n, pos + k);
        else {
          for (let j = 0; j < n; j++) picked[j] = v[j * sC];
          emit(picked, n, pos + k);
        }
      }
    } else {
      const end = rowSrc + rowSpan;
      if (gCount > 0 && (gCount === groupRows.length || end - gStart > CHUNK_ELEMENTS || (gCount + 1) * C < MIN_DENSITY * (end - gStart))) await flush();
      if (gCount === 0) {
        gStart = rowSrc;
        gPos = pos;
      }
      groupRows[gCount++] = rowSrc;
      gEnd = end;
    }
    // Next row: odometer over the leading dimensions.
    for (let d = lead.length - 1; d >= 0; d--) {
      idx[d]++;
      rowSrc += leadStrides[d];
      if (idx[d] < lead[d]) break;
      rowSrc -= idx[d] * leadStrides[d];
      idx[d] = 0;
    }
  }
  await flush();
  job.onProgress?.(total, total);
}

/**
 * A contiguous view (a whole tensor): chunk k + 1 is read while chunk k goes through the sinks, so the file read
 * and the arithmetic overlap.
 */
async function gatherRun(src: TensorSource, entry: SourceEntry, start: number, total: number, sinks: readonly Sink[], job: Job, scratch: Scratch, pause?: () => Promise<void>): Promise<void> {
  const buffers = [scratch, scratch.second];
  const readChunk = async (k: number): Promise<Values> => {
    if (pause) await pause();
    job.check();
    const at = k * CHUNK_ELEMENTS;
    return src.read(entry, start + at, Math.min(CHUNK_ELEMENTS, total - at), buffers[k % 2]);
  };
  const chunks = Math.ceil(total / CHUNK_ELEMENTS);
  let lastReport = Date.now();
  let next: Promise<Values> | null = readChunk(0);
  try {
    for (let k = 0; k < chunks; k++) {
      const values: Values = await (next as Promise<Values>);
      next = null;
      job.check();
      if (k + 1 < chunks) next = readChunk(k + 1);
      const pos = k * CHUNK_ELEMENTS;
      const count = Math.min(CHUNK_ELEMENTS, total - pos);
      for (const s of sinks) s.take(values, count, pos);
      const now = Date.now();
      if (job.onProgress && now - lastReport > 100) {
        lastReport = now;
        job.onProgress(pos + count, total);
      }
    }
  } finally {
    // Stopped early (cancelled, a failed read): the read in flight must not end as an unhandled rejection.
    next?.catch(() => undefined);
  }
  job.onProgress?.(total, total);
}
