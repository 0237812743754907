/**
 * Run checkpoints: the state of a training run in progress, kept in the extension's storage so that the end of the
 * extension host (a window reload or VS Code closing ends the run with it, and so would a crash) does not lose what
 * the views showed. One safetensors file per model file: the weights as tensors (PyTorch keys), the curves, the
 * test results and the step as JSON in its metadata, written atomically (a temp file renamed over the old one), so
 * weights and curves always belong together. Written every few seconds while a run goes on and when the host shuts
 * down; removed when a run starts or ends; read back when the model file is opened again. Pure (no `vscode`).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SafetensorsFile, writeSafetensorsFile } from '../data/safetensors';
import type { EvalResult, TrainingState } from '../protocol';
import type { ModelState } from './state';

/** Why the checkpoint was written: periodically during the run, or as the extension host shut down. */
export type CheckpointReason = 'running' | 'shutdown';

export interface RunRecord {
  v: 1;
  uri: string;
  /** ms since the epoch. */
  savedAt: number;
  reason: CheckpointReason;
  step: number;
  training: TrainingState;
  evaluation: EvalResult | null;
}

export interface Restored {
  record: RunRecord;
  /** Tensors of the checkpoint that no longer fit the model file (it was edited since): they keep their init. */
  skipped: string[];
}

const META_KEY = 'nnlens.run';
const STATUSES = ['idle', 'starting', 'running', 'paused', 'done', 'cancelled', 'error'];

class Bad extends Error {}

function need(ok: boolean, what: string): void {
  if (!ok) throw new Bad(what);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkEval(v: unknown, where: string): void {
  need(isObj(v), `${where} is not an object`);
  const e = v as Record<string, unknown>;
  need(isNum(e.accuracy) && isNum(e.loss) && isCount(e.count), `${where} lacks accuracy, loss or count`);
  need(Array.isArray(e.perClass) && e.perClass.every(isNum), `${where}.perClass is not a list of numbers`);
  need(Array.isArray(e.confusion) && e.confusion.every((r) => Array.isArray(r) && r.every(isCount)), `${where}.confusion is not a matrix of counts`);
}

/** The record in a checkpoint's metadata, checked field by field (it is a file on disk: anything can be in it). */
export function parseRecord(json: string, uri: string): RunRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new Bad(`the run record is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  need(isObj(raw), 'the run record is not an object');
  const r = raw as Record<string, unknown>;
  need(r.v === 1, `unknown run record version ${JSON.stringify(r.v)}`);
  need(r.uri === uri, 'the run record belongs to another model file');
  need(isNum(r.savedAt) && isCount(r.step), 'savedAt or step is missing');
  need(r.reason === 'running' || r.reason === 'shutdown', 'reason is missing');
  need(isObj(r.training), 'training is missing');
  const t = r.training as Record<string, unknown>;
  need(isCount(t.runId) && typeof t.status === 'string' && STATUSES.includes(t.status), 'training.runId or training.status is wrong');
  need(Array.isArray(t.points), 'training.points is not a list');
  (t.points as unknown[]).forEach((p, i) => {
    need(isObj(p), `training.points[${i}] is not an object`);
    const q = p as Record<string, unknown>;
    need(isCount(q.epoch) && isCount(q.step) && isCount(q.stepsPerEpoch) && (q.stepInEpoch === undefined || isCount(q.stepInEpoch)), `training.points[${i}] has a wrong epoch or step`);
    need(isNum(q.loss) && isNum(q.accuracy) && isNum(q.samplesPerSec) && isNum(q.time), `training.points[${i}] has a wrong number`);
  });
  need(Array.isArray(t.epochs), 'training.epochs is not a list');
  (t.epochs as unknown[]).forEach((e, i) => {
    need(isObj(e) && isCount(e.epoch) && isCount(e.step), `training.epochs[${i}] has a wrong epoch or step`);
    checkEval((e as Record<string, unknown>).test, `training.epochs[${i}].test`);
  });
  need(Array.isArray(t.editMarkers), 'training.editMarkers is not a list');
  (t.editMarkers as unknown[]).forEach((m, i) => {
    need(isObj(m) && isCount(m.step) && typeof m.version === 'number' && Array.isArray(m.changed) && m.changed.every((c) => typeof c === 'string'), `training.editMarkers[${i}] is wrong`);
  });
  need(t.message === undefined || typeof t.message === 'string', 'training.message is not text');
  if (r.evaluation !== null) checkEval(r.evaluation, 'evaluation');
  return raw as RunRecord;
}

/** What the view says about a restored run. */
export function restoredMessage(r: RunRecord): string {
  const at = new Date(r.savedAt).toLocaleTimeString('en-GB');
  return r.reason === 'shutdown'
    ? `training stopped at step ${r.step} when the window was reloaded or closed (${at}): its weights and curves are back; Train starts again from these weights`
    : `training was interrupted after step ${r.step}: the extension host stopped; the last checkpoint (${at}) is back with its weights and curves; Train starts again from these weights`;
}

export class RunCheckpoints {
  constructor(readonly dir: string) {}

  /** The checkpoint file of a model file: a hash of its URI, so any name is safe. */
  fileFor(uri: string): string {
    return path.join(this.dir, `${crypto.createHash('sha256').update(uri).digest('hex').slice(0, 24)}.safetensors`);
  }

  /** Writes the run of `state` (its current weights, curves and evaluation). Returns the bytes written. */
  save(state: ModelState, reason: CheckpointReason, now = Date.now()): number {
    const sd = state.stateDict();
    if (sd.size === 0) return 0;
    const record: RunRecord = { v: 1, uri: state.uri, savedAt: now, reason, step: state.step, training: state.training, evaluation: state.evaluation };
    fs.mkdirSync(this.dir, { recursive: true });
    const file = this.fileFor(state.uri);
    writeSafetensorsFile(file, sd, { format: 'pt', producer: 'nn-lens', [META_KEY]: JSON.stringify(record) });
    return fs.statSync(file).size;
  }

  remove(uri: string): void {
    fs.rmSync(this.fileFor(uri), { force: true });
  }

  /**
   * Puts the checkpoint of `state`'s model file back into it, unless there is none or `newerFile` (the weights
   * saved next to the model) was written after it. A file that cannot be read is an Error naming it (the caller
   * logs it and removes the file).
   */
  restore(state: ModelState, newerFile?: string): Restored | null {
    const file = this.fileFor(state.uri);
    if (!fs.existsSync(file)) return null;
    if (newerFile && fs.existsSync(newerFile) && fs.statSync(newerFile).mtimeMs > fs.statSync(file).mtimeMs) return null;
    let record: RunRecord;
    let skipped: string[];
    try {
      const f = SafetensorsFile.open(file);
      try {
        const json = f.header.metadata[META_KEY];
        if (json === undefined) throw new Bad('it holds no run record');
        record = parseRecord(json, state.uri);
        const tensors = [...f.readAll()].map(([name, t]) => {
          const data = new Float32Array(t.float().contiguous().toArray() as Float32Array);
          return { name, shape: [...t.shape], data: data.buffer };
        });
        skipped = state.mergeWeights(tensors, record.step);
      } finally {
        f.close();
      }
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(e instanceof Bad ? `${file}: not a usable run checkpoint: ${why}` : why);
    }
    state.restoreRun({ ...record.training, status: 'cancelled', message: restoredMessage(record) }, record.step, record.evaluation);
    return { record, skipped };
  }
}
