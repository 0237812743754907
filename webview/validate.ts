/**
 * Checks every message from the host before a view touches it. A malformed message is never half-applied: the
 * checker returns the path of the first bad field (`weights.weights[0].data: expected 200704 bytes, got 12`), and
 * the app ignores the message and reports it with a `log` message. Pure: no DOM.
 */
import type { HostToWebview } from '../src/protocol';
import { isBinary, numel } from './tensor';
import { Invalid, arr, bool, fail, nullable, obj, oneOf, opt, str } from './check';

export { Invalid };

function num(v: unknown, path: string): number {
  if (typeof v !== 'number' || Number.isNaN(v)) fail(path, 'a number', v);
  return v;
}
function finite(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, 'a finite number', v);
  return v;
}
function int(v: unknown, path: string, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(path, min === 0 ? 'a non-negative integer' : 'an integer', v);
  return v;
}
function bytes(v: unknown, path: string, expected?: number): void {
  if (!isBinary(v)) fail(path, 'an ArrayBuffer', v);
  if (expected !== undefined && v.byteLength !== expected) fail(path, `${expected} bytes`, v);
}

function position(v: unknown, path: string): void {
  const o = obj(v, path);
  int(o.line, `${path}.line`, 0);
  int(o.character, `${path}.character`, 0);
}
function range(v: unknown, path: string): void {
  const o = obj(v, path);
  position(o.start, `${path}.start`);
  position(o.end, `${path}.end`);
}
function dims(v: unknown, path: string): void {
  arr(v, path, (d, p) => (d === 'B' ? d : int(d, p, 0)));
}

function layer(v: unknown, path: string): void {
  const o = obj(v, path);
  int(o.index, `${path}.index`, 0);
  str(o.name, `${path}.name`);
  str(o.type, `${path}.type`);
  nullable(o.inShape, `${path}.inShape`, dims);
  nullable(o.outShape, `${path}.outShape`, dims);
  int(o.params, `${path}.params`, 0);
  opt(o.weightShape, `${path}.weightShape`, (w, p) => {
    const s = arr(w, p, (d, q) => int(d, q, 0));
    if (s.length !== 2) fail(p, '[out, in]', w);
  });
  opt(o.hasBias, `${path}.hasBias`, bool);
  range(o.range, `${path}.range`);
}

function model(v: unknown, path: string): void {
  const o = obj(v, path);
  str(o.uri, `${path}.uri`);
  str(o.name, `${path}.name`);
  arr(o.inputShape, `${path}.inputShape`, (d, p) => int(d, p, 0));
  str(o.dataset, `${path}.dataset`);
  arr(o.classNames, `${path}.classNames`, str);
  arr(o.layers, `${path}.layers`, layer);
  int(o.totalParams, `${path}.totalParams`, 0);
  arr(o.diagnostics, `${path}.diagnostics`, (d, p) => {
    const e = obj(d, p);
    oneOf(e.severity, `${p}.severity`, ['error', 'warning', 'info'] as const);
    str(e.message, `${p}.message`);
    range(e.range, `${p}.range`);
    opt(e.layer, `${p}.layer`, (x, q) => int(x, q, 0));
  });
}

function tensorPayload(v: unknown, path: string): void {
  const o = obj(v, path);
  str(o.name, `${path}.name`);
  const shape = arr(o.shape, `${path}.shape`, (d, p) => int(d, p, 0));
  bytes(o.data, `${path}.data`, numel(shape) * 4);
}

function evalResult(v: unknown, path: string): void {
  const o = obj(v, path);
  num(o.accuracy, `${path}.accuracy`);
  num(o.loss, `${path}.loss`);
  arr(o.perClass, `${path}.perClass`, num);
  int(o.count, `${path}.count`, 0);
  const rows = arr(o.confusion, `${path}.confusion`, (r, p) => arr(r, p, (c, q) => int(c, q, 0)));
  rows.forEach((r, i) => {
    if (r.length !== rows.length) fail(`${path}.confusion[${i}]`, `${rows.length} entries (a square matrix)`, r);
  });
}

function progressPoint(v: unknown, path: string): void {
  const o = obj(v, path);
  for (const k of ['epoch', 'step', 'stepsPerEpoch'] as const) int(o[k], `${path}.${k}`, 0);
  opt(o.stepInEpoch, `${path}.stepInEpoch`, (x, p) => int(x, p, 0));
  for (const k of ['loss', 'accuracy', 'samplesPerSec', 'time'] as const) num(o[k], `${path}.${k}`);
}

const STATUSES = ['idle', 'starting', 'running', 'paused', 'done', 'cancelled', 'error'] as const;

function training(v: unknown, path: string): void {
  const o = obj(v, path);
  int(o.runId, `${path}.runId`);
  oneOf(o.status, `${path}.status`, STATUSES);
  arr(o.points, `${path}.points`, progressPoint);
  arr(o.epochs, `${path}.epochs`, (e, p) => {
    const r = obj(e, p);
    int(r.epoch, `${p}.epoch`, 0);
    int(r.step, `${p}.step`, 0);
    evalResult(r.test, `${p}.test`);
  });
  arr(o.editMarkers, `${path}.editMarkers`, (e, p) => {
    const r = obj(e, p);
    int(r.step, `${p}.step`, 0);
    int(r.version, `${p}.version`);
    arr(r.changed, `${p}.changed`, str);
  });
  opt(o.message, `${path}.message`, str);
}

function samples(v: unknown, path: string, pixels: number): void {
  const o = obj(v, path);
  const labels = arr(o.labels, `${path}.labels`, (x, p) => int(x, p, 0));
  bytes(o.images, `${path}.images`, labels.length * pixels);
  bytes(o.probs, `${path}.probs`);
  const pb = (o.probs as ArrayBuffer).byteLength;
  if (labels.length > 0 && pb % (labels.length * 4) !== 0) fail(`${path}.probs`, `N×classes float32 values for N=${labels.length}`, o.probs);
}

/** Pixels per sample image: the model's input size, 784 for MNIST. */
export const IMAGE_PIXELS = 784;

/** Returns the message typed, or throws `Invalid` naming the first bad field. */
export function validateHostMessage(m: unknown): HostToWebview {
  const o = obj(m, 'message');
  const type = str(o.type, 'message.type');
  const p = type;
  switch (type) {
    case 'init':
      int(o.version, `${p}.version`);
      int(o.runId, `${p}.runId`);
      model(o.model, `${p}.model`);
      arr(o.weights, `${p}.weights`, tensorPayload);
      training(o.training, `${p}.training`);
      nullable(o.samples, `${p}.samples`, (s, q) => samples(s, q, IMAGE_PIXELS));
      nullable(o.evaluation, `${p}.evaluation`, evalResult);
      finite(obj(o.settings, `${p}.settings`).updatesPerSecond, `${p}.settings.updatesPerSecond`);
      nullable(o.selectedLayer, `${p}.selectedLayer`, (x, q) => int(x, q, 0));
      opt(o.step, `${p}.step`, (x, q) => int(x, q, 0));
      break;
    case 'model':
      int(o.version, `${p}.version`);
      model(o.model, `${p}.model`);
      arr(o.reinitialised, `${p}.reinitialised`, str);
      break;
    case 'weights':
      int(o.version, `${p}.version`);
      int(o.runId, `${p}.runId`);
      int(o.step, `${p}.step`, 0);
      arr(o.weights, `${p}.weights`, tensorPayload);
      opt(o.grads, `${p}.grads`, (g, q) => arr(g, q, tensorPayload));
      break;
    case 'training':
      int(o.runId, `${p}.runId`);
      training(o.training, `${p}.training`);
      break;
    case 'samples':
      int(o.version, `${p}.version`);
      int(o.runId, `${p}.runId`);
      int(o.step, `${p}.step`, 0);
      samples(o.samples, `${p}.samples`, IMAGE_PIXELS);
      break;
    case 'evaluation':
      int(o.runId, `${p}.runId`);
      evalResult(o.result, `${p}.result`);
      break;
    case 'cursor':
      int(o.version, `${p}.version`);
      nullable(o.layer, `${p}.layer`, (x, q) => int(x, q, 0));
      break;
    case 'prediction':
      int(o.requestId, `${p}.requestId`);
      arr(o.probs, `${p}.probs`, num);
      break;
    case 'inspectResult':
      int(o.requestId, `${p}.requestId`);
      str(o.expression, `${p}.expression`);
      str(o.text, `${p}.text`);
      opt(o.tensor, `${p}.tensor`, tensorPayload);
      opt(o.error, `${p}.error`, str);
      break;
    case 'images': {
      int(o.requestId, `${p}.requestId`);
      const labels = arr(o.labels, `${p}.labels`, (x, q) => int(x, q, 0));
      const idx = arr(o.indices, `${p}.indices`, (x, q) => int(x, q, 0));
      if (idx.length !== labels.length) fail(`${p}.indices`, `${labels.length} entries (one per label)`, o.indices);
      bytes(o.images, `${p}.images`, labels.length * IMAGE_PIXELS);
      break;
    }
    default:
      fail('message.type', 'a known message type', type);
  }
  return o as unknown as HostToWebview;
}
