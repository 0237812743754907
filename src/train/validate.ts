/** Checks a message arriving at the worker before it is used; a bad one is an Error saying which field. */
import type { DataSource, HostToWorker, TensorPayload, TrainOptions } from '../protocol';
import { linearInputs } from '../model/build';
import { LAYER_TYPES, type ModelSpec } from '../model/spec';

function fail(what: string): never {
  throw new Error(what);
}

function rec(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${where} must be an object`);
  return v as Record<string, unknown>;
}

function int(v: unknown, where: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(`${where} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function num(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${where} must be a non-negative number, got ${JSON.stringify(v)}`);
  return v;
}

function dataSource(v: unknown): DataSource {
  const o = rec(v, 'start.data');
  if (o.kind === 'embedded' && typeof o.mediaDir === 'string') return { kind: 'embedded', mediaDir: o.mediaDir };
  if (o.kind === 'folder' && typeof o.dir === 'string') return { kind: 'folder', dir: o.dir };
  return fail(`start.data must be {kind: "embedded", mediaDir} or {kind: "folder", dir}, got ${JSON.stringify(v)}`);
}

function options(v: unknown): TrainOptions {
  const o = rec(v, 'start.options');
  return {
    epochs: int(o.epochs, 'start.options.epochs', 1),
    batchSize: int(o.batchSize, 'start.options.batchSize', 1),
    lr: o.lr === undefined ? undefined : num(o.lr, 'start.options.lr'),
    seed: int(o.seed, 'start.options.seed'),
    shuffle: typeof o.shuffle === 'boolean' ? o.shuffle : fail(`start.options.shuffle must be a boolean, got ${JSON.stringify(o.shuffle)}`),
    maxSteps: o.maxSteps === undefined ? undefined : int(o.maxSteps, 'start.options.maxSteps', 1),
    threads: o.threads === undefined ? undefined : o.threads === 1 || o.threads === 2 ? o.threads : fail(`start.options.threads must be 1 or 2, got ${JSON.stringify(o.threads)}`),
    progressEveryMs: num(o.progressEveryMs, 'start.options.progressEveryMs'),
    snapshotEveryMs: num(o.snapshotEveryMs, 'start.options.snapshotEveryMs'),
  };
}

function payloads(v: unknown): TensorPayload[] {
  if (!Array.isArray(v)) fail('start.weights must be an array of tensors');
  return v.map((p, i) => {
    const o = rec(p, `start.weights[${i}]`);
    if (typeof o.name !== 'string') fail(`start.weights[${i}].name must be a string`);
    if (!Array.isArray(o.shape) || !o.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`start.weights[${i}].shape must be a list of sizes`);
    if (!(o.data instanceof ArrayBuffer)) fail(`start.weights[${i}].data must be an ArrayBuffer`);
    return { name: o.name, shape: o.shape as number[], data: o.data };
  });
}

/** The most parameters a spec may have here: the largest model any `nnLens.maxParameters` setting accepts. */
export const MAX_WORKER_PARAMS = 200_000_000;

const size = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= 2 ** 31 - 1;

function spec(v: unknown): ModelSpec {
  const o = rec(v, 'start.spec');
  const input = rec(o.input, 'start.spec.input');
  if (!Array.isArray(input.shape) || !Array.isArray(o.layers) || typeof o.train !== 'object' || typeof o.init !== 'object') {
    fail('start.spec must be a ModelSpec (input.shape, layers, init, train): pass what loadModelSpec returns');
  }
  if (!input.shape.every(size)) fail(`start.spec.input.shape must be a list of sizes, got ${JSON.stringify(input.shape).slice(0, 100)}`);
  o.layers.forEach((l, i) => {
    const layer = rec(l, `start.spec.layers[${i}]`);
    if (!(LAYER_TYPES as readonly unknown[]).includes(layer.type)) fail(`start.spec.layers[${i}].type must be one of ${LAYER_TYPES.join(', ')}`);
    if (layer.type === 'Linear' && (!size(layer.out) || (layer.in !== undefined && !size(layer.in)))) fail(`start.spec.layers[${i}]: a Linear's in and out must be sizes`);
  });
  const s = o as unknown as ModelSpec;
  // The host checked the model file against its limits; a spec arriving any other way is checked here too,
  // before anything is built.
  const ins = linearInputs(s);
  let params = 0;
  s.layers.forEach((l, i) => {
    if (l.type === 'Linear') params += (ins[i] ?? l.in ?? 0) * l.out + (l.bias === false ? 0 : l.out);
  });
  if (!(params <= MAX_WORKER_PARAMS)) fail(`start.spec has ${params.toLocaleString('en-US')} parameters, more than the ${MAX_WORKER_PARAMS.toLocaleString('en-US')} NN Lens builds`);
  return s;
}

export function validateHostToWorker(raw: unknown): HostToWorker {
  const o = rec(raw, 'message');
  const runId = int(o.runId, `${String(o.type)}.runId`);
  switch (o.type) {
    case 'start':
      return { type: 'start', runId, spec: spec(o.spec), data: dataSource(o.data), options: options(o.options), weights: o.weights === undefined ? undefined : payloads(o.weights) };
    case 'pause':
    case 'resume':
    case 'cancel':
      return { type: o.type, runId };
    case 'evaluate':
      return { type: 'evaluate', runId, requestId: int(o.requestId, 'evaluate.requestId') };
    default:
      return fail(`unknown message type ${JSON.stringify(o.type)}`);
  }
}
