/** Builds the engine's nn.Sequential from a ModelSpec, with PyTorch's layer names and init. */
import * as torch from '../engine';
import type { LayerSpec, ModelSpec } from './spec';
import { inferShapes, type ShapeLayer } from './shapes';

const { nn } = torch;

/** The state_dict prefix of each layer: its `name`, or its index as nn.Sequential names it. */
export function layerNames(spec: Pick<ModelSpec, 'layers'>): string[] {
  return spec.layers.map((l, i) => l.name ?? String(i));
}

/** Resolved `in` of every Linear (inferred from the incoming last dimension when left out), null for other layers. */
export function linearInputs(spec: ModelSpec): (number | null)[] {
  const names = layerNames(spec);
  const shapes = inferShapes(
    spec.input.shape,
    spec.layers.map((l, i): ShapeLayer => ({ ...l, name: names[i] })),
  );
  return spec.layers.map((l, i) => (l.type === 'Linear' ? shapes.layers[i].inFeatures : null));
}

export function buildLayer(l: LayerSpec, inFeatures: number | null, g: torch.Generator, scheme: ModelSpec['init']['scheme']): torch.nn.Module {
  switch (l.type) {
    case 'Linear':
      return new nn.Linear(inFeatures ?? l.in ?? 0, l.out, { bias: l.bias !== false, init: scheme, generator: g });
    case 'Sigmoid':
      return new nn.Sigmoid();
    case 'ReLU':
      return new nn.ReLU();
    case 'Tanh':
      return new nn.Tanh();
    case 'Softmax':
      return new nn.Softmax(l.dim ?? 1);
    case 'LogSoftmax':
      return new nn.LogSoftmax(l.dim ?? 1);
    case 'Flatten':
      return new nn.Flatten(l.startDim ?? 1, l.endDim ?? -1);
    case 'Dropout':
      return new nn.Dropout(l.p ?? 0.5, g);
  }
}

/**
 * nn.Sequential(OrderedDict(...)) for the spec. With the default 'pytorch' scheme and seed s, the weights equal
 * PyTorch's after `torch.manual_seed(s)` and building the same Sequential (layers initialised in order).
 */
export function buildModel(spec: ModelSpec, generator?: torch.Generator): torch.nn.Sequential {
  const g = generator ?? new torch.Generator(spec.init.seed);
  const names = layerNames(spec);
  const ins = linearInputs(spec);
  return new nn.Sequential(spec.layers.map((l, i) => [names[i], buildLayer(l, ins[i], g, spec.init.scheme)] as const));
}
