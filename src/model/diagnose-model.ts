/**
 * Checks of the model as a whole: layer names, where Softmax may go, whether the loss fits the output, the
 * PyTorch traps (warnings), and the size limits.
 */
import type { Node } from 'jsonc-parser';
import type { Dim } from '../protocol';
import { insertBefore, removeItem, replaceNode } from './edits';
import type { ModelLimits } from './limits';
import { formatBytes } from './memory';
import { freshName } from './names';
import type { ParsedLayer, ParsedModel } from './read';
import type { QuickFix, Reporter } from './report';
import type { LayerShape } from './shapes';
import type { LossType } from './spec';
import { formatCount, formatShape } from './text';

export interface ModelFacts {
  shapes: readonly LayerShape[];
  output: Dim[] | null;
  classes: number;
  /** "MNIST", for messages. */
  datasetLabel: string;
  totalParams: number;
  estimatedBytes: number;
  limits: ModelLimits;
}

const LOSS_HELP: Record<LossType, string> = {
  cross_entropy: 'cross_entropy',
  nll_loss: 'nll_loss',
  mse_loss: 'mse_loss',
};

function removeLayer(r: Reporter, model: ParsedModel, l: ParsedLayer, title: string, preferred = false): QuickFix {
  return { title, edits: removeItem(r.lines, l.node, model.layersNode?.children ?? [l.node]), preferred };
}

function setLoss(r: Reporter, model: ParsedModel, loss: LossType, preferred = false): QuickFix[] {
  const n = model.trainNodes.get('loss');
  return n ? [{ title: `Change the loss to ${loss}`, edits: [replaceNode(r.lines, n, JSON.stringify(loss))], preferred }] : [];
}

function checkNames(r: Reporter, model: ParsedModel): void {
  const seen = new Map<string, ParsedLayer>();
  const taken = new Set(model.layers.map((l) => l.name));
  for (const l of model.layers) {
    const first = seen.get(l.name);
    if (!first) {
      seen.set(l.name, l);
      continue;
    }
    // Report on the layer that has an explicit name (an unnamed layer's name is its index).
    const target = l.nameNode ? l : first.nameNode ? first : l;
    const other = target === l ? first : l;
    const fixes: QuickFix[] = [];
    if (target.nameNode) {
      const fresh = freshName(target.name, taken);
      taken.add(fresh);
      fixes.push({ title: `Rename to "${fresh}"`, edits: [replaceNode(r.lines, target.nameNode, JSON.stringify(fresh))], preferred: true });
    }
    r.error('duplicate-name', target.nameNode ?? target.typeNode ?? target.node, `Duplicate layer name "${l.name}" (also layers[${other.index}]): state_dict keys must be unique, and nn.Sequential refuses two children with one name`, { layer: target.index, fixes });
  }
}

function checkSoftmaxPlace(r: Reporter, model: ParsedModel): void {
  const n = model.layers.length;
  for (const l of model.layers) {
    if ((l.type !== 'Softmax' && l.type !== 'LogSoftmax') || l.index === n - 1) continue;
    const why = l.type === 'Softmax' ? 'the loss is computed on the logits before a final Softmax, and the views show its probabilities' : 'nll_loss takes the log-probabilities of a final LogSoftmax';
    r.error('softmax-not-last', l.typeNode ?? l.node, `${l.type} ${l.name} is layer ${l.index + 1} of ${n}: ${l.type} belongs only at the end (${why})`, {
      layer: l.index,
      fixes: [removeLayer(r, model, l, `Remove ${l.type} ${l.name}`, true)],
    });
  }
}

/** The last layer that is not a Dropout, and the layer the loss sees (before a final Softmax for cross_entropy). */
function outputLayers(model: ParsedModel): { last?: ParsedLayer; beforeSoftmax?: ParsedLayer } {
  const ls = model.layers.filter((l) => l.type !== 'Dropout');
  const last = ls[ls.length - 1];
  const beforeSoftmax = last?.type === 'Softmax' ? ls[ls.length - 2] : last;
  return { last, beforeSoftmax };
}

function lastLinear(model: ParsedModel): ParsedLayer | undefined {
  for (let i = model.layers.length - 1; i >= 0; i--) if (model.layers[i].type === 'Linear') return model.layers[i];
  return undefined;
}

function checkLoss(r: Reporter, model: ParsedModel, f: ModelFacts): void {
  const loss = model.train.loss;
  const lossNode: Node | undefined = model.trainNodes.get('loss');
  const { last, beforeSoftmax } = outputLayers(model);
  const lin = lastLinear(model);
  const C = f.classes;
  if (f.output && lin) {
    if (f.output.length !== 2) {
      r.error('loss-shape', last?.typeNode ?? lossNode ?? lin.node, `${LOSS_HELP[loss]} needs one score per class, an output of shape [B, ${C}], but the model outputs ${formatShape(f.output)}`, { layer: last?.index });
    } else if (f.output[1] !== C) {
      const outNode = lin.fields.get('out');
      const fixes: QuickFix[] = outNode ? [{ title: `Set "out" of Linear ${lin.name} to ${C}`, edits: [replaceNode(r.lines, outNode, String(C))], preferred: true }] : [];
      r.error('classes-mismatch', outNode ?? lin.typeNode ?? lin.node, `${C} classes expected for ${f.datasetLabel}, got ${f.output[1]} from Linear ${lin.name} (output ${formatShape(f.output)})`, { layer: lin.index, fixes });
    }
  }
  if (!last) return;
  if (loss === 'cross_entropy') {
    if (last.type === 'LogSoftmax') {
      r.warning('logsoftmax-cross-entropy', last.typeNode ?? last.node, `cross_entropy applies log-softmax itself: after LogSoftmax ${last.name} it is applied twice. Use nll_loss with a final LogSoftmax, or end with Softmax (or no activation) for cross_entropy`, {
        layer: last.index,
        fixes: [...setLoss(r, model, 'nll_loss', true), removeLayer(r, model, last, `Remove LogSoftmax ${last.name}`)],
      });
    } else if (beforeSoftmax && (beforeSoftmax.type === 'Sigmoid' || beforeSoftmax.type === 'ReLU' || beforeSoftmax.type === 'Tanh')) {
      const squash = { Sigmoid: 'squashes the logits into (0, 1)', Tanh: 'squashes the logits into (-1, 1)', ReLU: 'clips the negative logits to 0' }[beforeSoftmax.type];
      r.warning(
        'activation-before-loss',
        beforeSoftmax.typeNode ?? beforeSoftmax.node,
        `cross_entropy applies log-softmax to the logits itself: a ${beforeSoftmax.type} on the output ${squash}, so the loss barely moves. Remove it (a final Softmax is fine: the loss is computed on the logits before it)`,
        { layer: beforeSoftmax.index, fixes: [removeLayer(r, model, beforeSoftmax, `Remove ${beforeSoftmax.type} ${beforeSoftmax.name}`, true)] },
      );
    }
  } else if (loss === 'nll_loss' && last.type !== 'LogSoftmax') {
    const fixes: QuickFix[] = [];
    if (last.type === 'Softmax' && last.typeNode) fixes.push({ title: `Change Softmax ${last.name} to LogSoftmax`, edits: [replaceNode(r.lines, last.typeNode, '"LogSoftmax"')], preferred: true });
    fixes.push(...setLoss(r, model, 'cross_entropy', fixes.length === 0));
    r.warning('nll-without-logsoftmax', lossNode ?? last.typeNode ?? last.node, `nll_loss expects log-probabilities, but the model ends with ${last.type} ${last.name}: end it with LogSoftmax (dim 1), or use cross_entropy`, { fixes });
  } else if (loss === 'mse_loss') {
    r.warning('mse-on-labels', lossNode ?? last.typeNode ?? last.node, `mse_loss on class labels: ${f.datasetLabel} targets are class indices of shape [B], not [B, ${C}] vectors (PyTorch warns "Using a target size that is different to the input size" and broadcasts). For classification use cross_entropy`, {
      fixes: setLoss(r, model, 'cross_entropy', true),
    });
  }
}

function checkActivations(r: Reporter, model: ParsedModel): void {
  let prev: ParsedLayer | undefined;
  for (const l of model.layers) {
    if (l.type === 'Linear') {
      if (prev) {
        r.warning('linear-without-activation', l.typeNode ?? l.node, `No activation between Linear ${prev.name} and Linear ${l.name}: two Linears in a row compute one linear map, so ${l.name} adds parameters but no power. Insert a ReLU or Sigmoid between them`, {
          layer: l.index,
          fixes: [
            { title: `Insert a ReLU before Linear ${l.name}`, edits: [insertBefore(r.lines, l.node, '{ "type": "ReLU" }')], preferred: true },
            { title: `Insert a Sigmoid before Linear ${l.name}`, edits: [insertBefore(r.lines, l.node, '{ "type": "Sigmoid" }')] },
          ],
        });
      }
      prev = l;
    } else if (l.type !== 'Dropout' && l.type !== 'Flatten') {
      prev = undefined;
    }
  }
}

function checkLimits(r: Reporter, model: ParsedModel, f: ModelFacts): void {
  const at: Node | undefined = model.layersKey ?? model.root;
  if (!at) return;
  const n = model.layerCount;
  if (n > f.limits.maxLayers) {
    r.error('too-many-layers', at, `The model has ${formatCount(n)} layers, more than the limit of ${formatCount(f.limits.maxLayers)}: it is not built (only the first ${formatCount(f.limits.maxLayers)} are analysed)`);
  }
  if (f.totalParams > f.limits.maxParams) {
    let big = 0;
    for (let i = 1; i < f.shapes.length; i++) if (f.shapes[i].params > f.shapes[big].params) big = i;
    const bl = model.layers[big];
    r.error('too-many-parameters', at, `The model has ${formatCount(f.totalParams)} parameters, more than the limit of ${formatCount(f.limits.maxParams)} (the largest layer, ${bl?.type ?? 'layer'} ${bl?.name ?? big}, has ${formatCount(f.shapes[big]?.params ?? 0)}): it is not built`);
  } else if (f.estimatedBytes > f.limits.maxBytes) {
    r.error('too-much-memory', model.trainNodes.get('batchSize') ?? at, `Training this model would allocate about ${formatBytes(f.estimatedBytes)} (weights, gradients, optimizer state and the activations of a batch of ${model.train.batchSize}), more than the limit of ${formatBytes(f.limits.maxBytes)}: it is not built`);
  }
}

export function diagnoseModel(r: Reporter, model: ParsedModel, f: ModelFacts): void {
  checkNames(r, model);
  checkSoftmaxPlace(r, model);
  const known = model.layers.every((l) => l.type !== null);
  if (known && model.layersNode && !model.layers.some((l) => l.type === 'Linear')) {
    r.error('no-parameters', model.layersKey ?? model.layersNode, 'The model has no parameters (no Linear layer): the optimizer got an empty parameter list');
  }
  checkLoss(r, model, f);
  checkActivations(r, model);
  checkLimits(r, model, f);
}
