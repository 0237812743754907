/**
 * The syntax tree of a model file → the values it holds, field by field, with a diagnostic at the exact span of
 * everything that is missing, of the wrong type, out of range or unknown. Nothing here looks at shapes.
 */
import type { Node } from 'jsonc-parser';
import { DATASET_INFO } from './datasets';
import { members, readBool, readEnum, readInt, readNumber, readSize, readString, valueOf, type Member } from './fields';
import { MAX_SIZE } from './limits';
import { isIdentifier, nameProblem } from './names';
import type { Reporter } from './report';
import { DATASETS, LAYER_TYPES, LOSSES, OPTIMIZERS, type DatasetName, type LayerType, type ModelSpec, type OptimizerSpec, type TrainSpec } from './spec';
import { removeItem, replaceNode } from './edits';
import type { TextEdit } from './text';

export const DEFAULT_TRAIN = {
  batchSize: 10,
  epochs: 1,
  shuffle: true,
  loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 0.1, momentum: 0 },
} as const;

/** Default learning rate per optimiser: the format's 0.1 for SGD, PyTorch's 1e-3 for Adam. */
export const DEFAULT_LR = { sgd: 0.1, adam: 0.001 } as const;

export const ROOT_FIELDS = ['name', 'input', 'layers', 'init', 'train'] as const;
export const INPUT_FIELDS = ['shape', 'dataset'] as const;
export const INIT_FIELDS = ['seed', 'scheme'] as const;
export const INIT_SCHEMES = ['pytorch', 'scaled-normal'] as const;
export const TRAIN_FIELDS = ['batchSize', 'epochs', 'shuffle', 'loss', 'optimizer'] as const;
export const SGD_FIELDS = ['type', 'lr', 'momentum', 'dampening', 'nesterov', 'weightDecay'] as const;
export const ADAM_FIELDS = ['type', 'lr', 'betas', 'eps', 'weightDecay'] as const;
/** The fields each layer type takes, besides `type` and `name`. */
export const LAYER_FIELDS: Record<LayerType, readonly string[]> = {
  Linear: ['in', 'out', 'bias'],
  Sigmoid: [],
  ReLU: [],
  Tanh: [],
  Softmax: ['dim'],
  LogSoftmax: ['dim'],
  Flatten: ['startDim', 'endDim'],
  Dropout: ['p'],
};
const ALL_LAYER_FIELDS: readonly string[] = [...new Set(Object.values(LAYER_FIELDS).flat())];

export interface ParsedLayer {
  index: number;
  node: Node;
  type: LayerType | null;
  typeNode?: Node;
  /** The state_dict prefix: a valid `name`, else the index. */
  name: string;
  nameNode?: Node;
  /** Value nodes of the known fields. */
  fields: Map<string, Node>;
  in?: number;
  out?: number;
  bias?: boolean;
  dim?: number;
  startDim?: number;
  endDim?: number;
  p?: number;
}

export interface ParsedModel {
  root: Node | undefined;
  name: string;
  input: { node?: Node; shape: number[] | null; shapeNode?: Node; dataset: DatasetName; datasetNode?: Node };
  layers: ParsedLayer[];
  layersNode?: Node;
  layersKey?: Node;
  /** Entries in `layers`; only the first `maxLayers` are read (the rest are not analysed at all). */
  layerCount: number;
  init: ModelSpec['init'];
  train: TrainSpec;
  /** Value nodes of train.loss, train.batchSize and the optimiser's fields, for placing diagnostics. */
  trainNodes: Map<string, Node>;
}

function objectOrError(r: Reporter, node: Node | undefined, what: string): Node | undefined {
  if (!node) return undefined;
  if (node.type === 'object') return node;
  r.error('wrong-type', node, `${what} must be an object, got ${node.type === 'array' ? 'an array' : node.type}`);
  return undefined;
}

function readInput(r: Reporter, m: Member | undefined, root: Node): ParsedModel['input'] {
  const res: ParsedModel['input'] = { shape: null, dataset: 'mnist' };
  if (!m) {
    r.error('missing-field', r.anchorOf(root), 'Missing "input": the shape of one sample and the dataset, e.g. "input": { "shape": [784], "dataset": "mnist" }');
    return res;
  }
  const node = objectOrError(r, valueOf(r, m, '"input"'), 'input');
  if (!node) return res;
  res.node = node;
  const f = members(r, node, 'input', INPUT_FIELDS);
  const ds = valueOf(r, f.get('dataset'), 'input.dataset');
  if (ds) {
    res.datasetNode = ds;
    res.dataset = readEnum(r, ds, 'input.dataset', DATASETS) ?? 'mnist';
  }
  const shapeM = f.get('shape');
  if (!shapeM) {
    r.error('missing-field', r.anchorOf(node), `Missing "input.shape": the shape of one sample without the batch dimension, e.g. [784] or [28, 28]`);
    return res;
  }
  const sn = valueOf(r, shapeM, 'input.shape');
  if (!sn) return res;
  res.shapeNode = sn;
  if (sn.type !== 'array') {
    r.error('wrong-type', sn, `input.shape must be an array of positive integers such as [784], got ${sn.type}`);
    return res;
  }
  const dims = sn.children ?? [];
  if (dims.length === 0) {
    r.error('invalid-size', sn, 'input.shape must have at least one dimension, e.g. [784]');
    return res;
  }
  if (dims.length > 8) {
    r.error('invalid-size', sn, `input.shape has ${dims.length} dimensions; at most 8 are supported`);
    return res;
  }
  const shape = dims.map((d, i) => readSize(r, d, `input.shape[${i}]`));
  if (shape.every((d): d is number => d !== undefined)) res.shape = shape;
  return res;
}

function readLayer(r: Reporter, node: Node, index: number): ParsedLayer {
  const where = `layers[${index}]`;
  const layer: ParsedLayer = { index, node, type: null, name: String(index), fields: new Map() };
  if (node.type !== 'object') {
    r.error('wrong-type', node, `${where} must be an object such as { "type": "ReLU" }, got ${node.type}`, { layer: index });
    return layer;
  }
  const props = (node.children ?? []).filter((c) => c.type === 'property');
  const typeProp = [...props].reverse().find((p) => p.children?.[0]?.value === 'type');
  let type: LayerType | undefined;
  if (!typeProp) {
    r.error('missing-field', r.anchorOf(node), `${where} has no "type" (one of ${LAYER_TYPES.join(', ')})`, { layer: index });
  } else {
    const tn = typeProp.children?.[1];
    if (!tn) r.error('missing-field', typeProp.children?.[0] ?? typeProp, `${where}.type has no value`, { layer: index });
    else {
      layer.typeNode = tn;
      type = readEnum(r, tn, `${where}.type`, LAYER_TYPES, 'unknown-layer-type', index);
    }
  }
  // Fields are checked against the layer's type once it is known; with an unknown type, any layer field passes.
  const known = ['type', 'name', ...(type ? LAYER_FIELDS[type] : ALL_LAYER_FIELDS)];
  const elsewhere = type ? ALL_LAYER_FIELDS.filter((k) => !known.includes(k)) : [];
  const preview = members(r, node, type ? `${where} (${type})` : where, known, index, elsewhere);
  for (const [k, mem] of preview) {
    if (!elsewhere.includes(k)) continue;
    const owners = LAYER_TYPES.filter((t) => LAYER_FIELDS[t].includes(k));
    r.warning('unknown-field', mem.key, `${type} has no field "${k}" (it belongs to ${owners.join(', ')}), ignored`, {
      layer: index,
      fixes: [{ title: `Remove "${k}"`, edits: removeItem(r.lines, mem.prop, props), preferred: true }],
    });
  }
  layer.type = type ?? null;
  const nameNode = valueOf(r, preview.get('name'), `${where}.name`, index);
  if (nameNode) {
    layer.nameNode = nameNode;
    const name = readString(r, nameNode, `${where}.name`, index);
    if (name !== undefined) {
      const problem = nameProblem(name);
      if (problem) {
        const fixed = name.replace(/\./g, '_');
        const fixes = fixed !== name && fixed !== '' && !nameProblem(fixed) ? [{ title: `Rename to "${fixed}"`, edits: [replaceNode(r.lines, nameNode, JSON.stringify(fixed))], preferred: true }] : [];
        r.error('invalid-name', nameNode, `${where}.name ${JSON.stringify(name.length > 40 ? name.slice(0, 40) + '…' : name)} would break the state_dict: PyTorch refuses it (${problem.length > 80 ? problem.slice(0, 80) + '…' : problem})`, { layer: index, fixes });
      } else {
        layer.name = name;
        if (!isIdentifier(name)) {
          r.warning('name-not-identifier', nameNode, `${where}.name ${JSON.stringify(name.length > 40 ? name.slice(0, 40) + '…' : name)} is not a Python identifier: its keys (${name.slice(0, 40)}.weight) work, but expressions such as ${name.slice(0, 40)}.weight[:2] cannot reach it. Prefer letters, digits and _`, { layer: index });
        }
      }
    }
  }
  if (!type) return layer;
  for (const k of LAYER_FIELDS[type]) {
    const v = valueOf(r, preview.get(k), `${where}.${k}`, index);
    if (v) layer.fields.set(k, v);
  }
  const get = (k: string): Node | undefined => layer.fields.get(k);
  const label = `${type} ${layer.name}`;
  switch (type) {
    case 'Linear': {
      const inN = get('in');
      const outN = get('out');
      if (inN) layer.in = readSize(r, inN, `${label}: "in"`, { layer: index });
      if (outN) layer.out = readSize(r, outN, `${label}: "out"`, { layer: index });
      else if (preview.get('out') === undefined) r.error('missing-field', r.anchorOf(node), `${label} has no "out": the number of output features`, { layer: index });
      const b = get('bias');
      layer.bias = b ? readBool(r, b, `${label}: "bias"`, index) : true;
      break;
    }
    case 'Softmax':
    case 'LogSoftmax': {
      const d = get('dim');
      if (d) layer.dim = readInt(r, d, `${label}: "dim"`, -64, 64, index);
      break;
    }
    case 'Flatten': {
      const s = get('startDim');
      const e = get('endDim');
      if (s) layer.startDim = readInt(r, s, `${label}: "startDim"`, -64, 64, index);
      if (e) layer.endDim = readInt(r, e, `${label}: "endDim"`, -64, 64, index);
      break;
    }
    case 'Dropout': {
      const p = get('p');
      if (p) {
        layer.p = readNumber(r, p, `${label}: "p"`, {
          min: 0,
          max: 1,
          code: 'dropout-p',
          layer: index,
          message: (v) => `dropout probability has to be between 0 and 1, but got ${v}`,
        });
      }
      break;
    }
    case 'Sigmoid':
    case 'ReLU':
    case 'Tanh':
      break;
  }
  return layer;
}

function removeOf(r: Reporter, m: Member, obj: Node): TextEdit[] {
  const props = (obj.children ?? []).filter((c) => c.type === 'property');
  return removeItem(r.lines, m.prop, props);
}

function readLayers(r: Reporter, m: Member | undefined, root: Node, maxLayers: number): Pick<ParsedModel, 'layers' | 'layersNode' | 'layersKey' | 'layerCount'> {
  if (!m) {
    r.error('missing-field', r.anchorOf(root), 'Missing "layers": the list of layers, e.g. [{ "name": "W1", "type": "Linear", "out": 64 }, ...]');
    return { layers: [], layerCount: 0 };
  }
  const node = valueOf(r, m, '"layers"');
  if (!node) return { layers: [], layersKey: m.key, layerCount: 0 };
  if (node.type !== 'array') {
    r.error('wrong-type', node, `layers must be an array of layers, got ${node.type}`);
    return { layers: [], layersKey: m.key, layerCount: 0 };
  }
  const items = node.children ?? [];
  const layers = items.slice(0, maxLayers).map((c, i) => readLayer(r, c, i));
  return { layers, layersNode: node, layersKey: m.key, layerCount: items.length };
}

function readInit(r: Reporter, m: Member | undefined): ModelSpec['init'] {
  const init: ModelSpec['init'] = { seed: 0, scheme: 'pytorch' };
  const node = objectOrError(r, valueOf(r, m, '"init"'), 'init');
  if (!node) return init;
  const f = members(r, node, 'init', INIT_FIELDS);
  const s = valueOf(r, f.get('seed'), 'init.seed');
  if (s) init.seed = readInt(r, s, 'init.seed', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const sc = valueOf(r, f.get('scheme'), 'init.scheme');
  if (sc) init.scheme = readEnum(r, sc, 'init.scheme', INIT_SCHEMES) ?? 'pytorch';
  return init;
}

function readOptimizer(r: Reporter, node: Node, nodes: Map<string, Node>): OptimizerSpec {
  const typeM = [...(node.children ?? [])].reverse().find((p) => p.children?.[0]?.value === 'type');
  const tn = typeM?.children?.[1];
  const type = tn ? (readEnum(r, tn, 'train.optimizer.type', OPTIMIZERS) ?? 'sgd') : 'sgd';
  const own: readonly string[] = type === 'sgd' ? SGD_FIELDS : ADAM_FIELDS;
  const other: readonly string[] = type === 'sgd' ? ADAM_FIELDS : SGD_FIELDS;
  const f = members(r, node, 'train.optimizer', own, undefined, other);
  for (const [k, mem] of f) {
    if (own.includes(k) || !other.includes(k)) continue;
    r.warning('optimizer-field-ignored', mem.key, `"${k}" is an option of ${type === 'sgd' ? 'adam' : 'sgd'}; ${type} ignores it`, {
      fixes: [{ title: `Remove "${k}"`, edits: removeOf(r, mem, node), preferred: true }],
    });
  }
  const opt: OptimizerSpec = { type, lr: DEFAULT_LR[type] };
  const v = (k: string): Node | undefined => {
    const n = own.includes(k) ? valueOf(r, f.get(k), `train.optimizer.${k}`) : undefined;
    if (n) nodes.set(`optimizer.${k}`, n);
    return n;
  };
  const lr = v('lr');
  if (lr) opt.lr = readNumber(r, lr, 'train.optimizer.lr', { min: 0, message: (x) => `Invalid learning rate: ${x}` }) ?? opt.lr;
  const wd = v('weightDecay');
  if (wd) {
    const w = readNumber(r, wd, 'train.optimizer.weightDecay', { min: 0, message: (x) => `Invalid weight_decay value: ${x}` });
    if (w !== undefined) opt.weightDecay = w;
  }
  if (type === 'sgd') {
    const mo = v('momentum');
    if (mo) {
      const x = readNumber(r, mo, 'train.optimizer.momentum', { min: 0, message: (s) => `Invalid momentum value: ${s}` });
      if (x !== undefined) opt.momentum = x;
    }
    const da = v('dampening');
    if (da) {
      const x = readNumber(r, da, 'train.optimizer.dampening', {});
      if (x !== undefined) opt.dampening = x;
    }
    const ne = v('nesterov');
    if (ne) {
      const x = readBool(r, ne, 'train.optimizer.nesterov');
      if (x !== undefined) opt.nesterov = x;
      if (x && (!(opt.momentum !== undefined && opt.momentum > 0) || (opt.dampening ?? 0) !== 0)) {
        r.error('nesterov-invalid', ne, 'Nesterov momentum requires a momentum and zero dampening');
      }
    }
  } else {
    const be = v('betas');
    if (be) {
      if (be.type !== 'array' || (be.children ?? []).length !== 2) {
        r.error('wrong-type', be, 'train.optimizer.betas must be an array of two numbers such as [0.9, 0.999]');
      } else {
        const bs = (be.children ?? []).map((c, i) =>
          readNumber(r, c, `train.optimizer.betas[${i}]`, { min: 0, max: 1, exclusiveMax: true, message: (s) => `Invalid beta parameter at index ${i}: ${s}` }),
        );
        if (bs[0] !== undefined && bs[1] !== undefined) opt.betas = [bs[0], bs[1]];
      }
    }
    const ep = v('eps');
    if (ep) {
      const x = readNumber(r, ep, 'train.optimizer.eps', { min: 0, message: (s) => `Invalid epsilon value: ${s}` });
      if (x !== undefined) opt.eps = x;
    }
  }
  return opt;
}

function readTrain(r: Reporter, m: Member | undefined, nodes: Map<string, Node>): TrainSpec {
  const train: TrainSpec = {
    batchSize: DEFAULT_TRAIN.batchSize,
    epochs: DEFAULT_TRAIN.epochs,
    shuffle: DEFAULT_TRAIN.shuffle,
    loss: DEFAULT_TRAIN.loss,
    optimizer: { ...DEFAULT_TRAIN.optimizer },
  };
  const node = objectOrError(r, valueOf(r, m, '"train"'), 'train');
  if (!node) return train;
  nodes.set('train', node);
  const f = members(r, node, 'train', TRAIN_FIELDS);
  const v = (k: string): Node | undefined => {
    const n = valueOf(r, f.get(k), `train.${k}`);
    if (n) nodes.set(k, n);
    return n;
  };
  const bs = v('batchSize');
  if (bs) train.batchSize = readSize(r, bs, 'train.batchSize') ?? train.batchSize;
  const ep = v('epochs');
  if (ep) train.epochs = readSize(r, ep, 'train.epochs') ?? train.epochs;
  const sh = v('shuffle');
  if (sh) train.shuffle = readBool(r, sh, 'train.shuffle') ?? true;
  const lo = v('loss');
  if (lo) train.loss = readEnum(r, lo, 'train.loss', LOSSES) ?? train.loss;
  const op = objectOrError(r, v('optimizer'), 'train.optimizer');
  if (op) train.optimizer = readOptimizer(r, op, nodes);
  return train;
}

/** Reads every field of the model file; `root` is the tree's root (undefined when the text holds no value). */
export function readModel(r: Reporter, root: Node | undefined, maxLayers = Infinity): ParsedModel {
  const model: ParsedModel = {
    root,
    name: 'model',
    input: { shape: null, dataset: 'mnist' },
    layers: [],
    layerCount: 0,
    init: { seed: 0, scheme: 'pytorch' },
    train: { ...DEFAULT_TRAIN, optimizer: { ...DEFAULT_TRAIN.optimizer } },
    trainNodes: new Map(),
  };
  if (!root) {
    r.error('missing-field', { offset: 0, length: 0 }, 'The model file is empty: it needs an object with "input" and "layers"');
    return model;
  }
  if (root.type !== 'object') {
    r.error('wrong-type', root, `A model file holds one object with "input" and "layers", got ${root.type === 'array' ? 'an array' : root.type}`);
    return model;
  }
  const f = members(r, root, 'the model', ROOT_FIELDS, undefined, ['$schema']);
  const nameNode = valueOf(r, f.get('name'), '"name"');
  if (nameNode) model.name = readString(r, nameNode, 'name') ?? 'model';
  model.input = readInput(r, f.get('input'), root);
  Object.assign(model, readLayers(r, f.get('layers'), root, maxLayers));
  model.init = readInit(r, f.get('init'));
  model.train = readTrain(r, f.get('train'), model.trainNodes);
  if (model.input.shape && model.input.shape.length) {
    const info = DATASET_INFO[model.input.dataset];
    let n = 1;
    for (const d of model.input.shape) n *= d;
    if (n !== info.pixels && model.input.shapeNode) {
      const fixes = n <= MAX_SIZE ? [{ title: `Change to [${info.defaultShape.join(', ')}]`, edits: [replaceNode(r.lines, model.input.shapeNode, `[${info.defaultShape.join(', ')}]`)], preferred: true }] : [];
      r.error('input-size', model.input.shapeNode, `input.shape [${model.input.shape.join(', ')}] holds ${n} values but ${info.label} images have ${info.pixels} pixels (28×28): use [784], [28, 28] or [1, 28, 28]`, { fixes });
    }
  }
  return model;
}
