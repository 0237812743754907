/**
 * The minimal reader: JSON-with-comments text → a ModelSpec with defaults filled in, or an Error saying what is
 * wrong and where. The full analysis (ranges, shapes, diagnostics, quick fixes) builds on this in src/model/.
 */
import { parse, ParseError, printParseErrorCode } from 'jsonc-parser';
import { LAYER_TYPES, LOSSES, OPTIMIZERS, DATASETS, type LayerSpec, type ModelSpec } from './spec';

export const DEFAULT_TRAIN = {
  batchSize: 10,
  epochs: 1,
  shuffle: true,
  loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 0.1, momentum: 0 },
} as const;

function fail(where: string, what: string): never {
  throw new Error(`${where}: ${what}`);
}

function posInt(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(where, `expected a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, `expected an object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

/** Parses and validates a model file's text; `file` names it in errors. */
export function loadModelSpec(text: string, file = 'model'): ModelSpec {
  const errors: ParseError[] = [];
  const raw = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length) {
    const e = errors[0];
    const before = text.slice(0, e.offset);
    const line = before.split('\n').length;
    const col = e.offset - before.lastIndexOf('\n');
    fail(`${file}:${line}:${col}`, `invalid JSON (${printParseErrorCode(e.error)})`);
  }
  const root = obj(raw, file);
  const input = obj(root.input ?? fail(file, 'missing "input"'), `${file}: input`);
  const shape = Array.isArray(input.shape) ? input.shape.map((d, i) => posInt(d, `${file}: input.shape[${i}]`)) : fail(`${file}: input.shape`, 'expected an array of positive integers');
  const dataset = (input.dataset ?? 'mnist') as string;
  if (!(DATASETS as readonly string[]).includes(dataset)) fail(`${file}: input.dataset`, `unknown dataset "${dataset}" (one of ${DATASETS.join(', ')})`);
  if (!Array.isArray(root.layers)) fail(`${file}: layers`, 'expected an array of layers');
  const layers = root.layers.map((l, i): LayerSpec => {
    const where = `${file}: layers[${i}]`;
    const o = obj(l, where);
    if (!(LAYER_TYPES as readonly string[]).includes(o.type as string)) {
      fail(`${where}.type`, `unknown layer type ${JSON.stringify(o.type)} (one of ${LAYER_TYPES.join(', ')})`);
    }
    if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '' || o.name.includes('.'))) {
      fail(`${where}.name`, 'expected a non-empty name without "."');
    }
    if (o.type === 'Linear') {
      return { ...(o as object), type: 'Linear', out: posInt(o.out, `${where}.out`), in: o.in === undefined ? undefined : posInt(o.in, `${where}.in`) } as LayerSpec;
    }
    return o as unknown as LayerSpec;
  });
  const init = obj(root.init ?? {}, `${file}: init`);
  const train = obj(root.train ?? {}, `${file}: train`);
  const optimizer = obj(train.optimizer ?? DEFAULT_TRAIN.optimizer, `${file}: train.optimizer`);
  if (!(OPTIMIZERS as readonly string[]).includes((optimizer.type ?? 'sgd') as string)) fail(`${file}: train.optimizer.type`, `unknown optimizer ${JSON.stringify(optimizer.type)}`);
  const loss = (train.loss ?? DEFAULT_TRAIN.loss) as string;
  if (!(LOSSES as readonly string[]).includes(loss)) fail(`${file}: train.loss`, `unknown loss ${JSON.stringify(loss)}`);
  return {
    name: typeof root.name === 'string' ? root.name : 'model',
    input: { shape, dataset: dataset as ModelSpec['input']['dataset'] },
    layers,
    init: { seed: typeof init.seed === 'number' ? init.seed : 0, scheme: init.scheme === 'scaled-normal' ? 'scaled-normal' : 'pytorch' },
    train: {
      batchSize: train.batchSize === undefined ? DEFAULT_TRAIN.batchSize : posInt(train.batchSize, `${file}: train.batchSize`),
      epochs: train.epochs === undefined ? DEFAULT_TRAIN.epochs : posInt(train.epochs, `${file}: train.epochs`),
      shuffle: train.shuffle === undefined ? true : Boolean(train.shuffle),
      loss: loss as ModelSpec['train']['loss'],
      optimizer: { ...(optimizer as object), type: (optimizer.type ?? 'sgd') as 'sgd' | 'adam', lr: typeof optimizer.lr === 'number' ? optimizer.lr : 0.1 } as ModelSpec['train']['optimizer'],
    },
  };
}
