/**
 * The `*.nn.json` model format as data (see shared/DESIGN.md). Parsing with source ranges, the JSON schema,
 * shape inference and diagnostics live beside this file in src/model/; this file is only the types.
 */

export const LAYER_TYPES = ['Linear', 'Sigmoid', 'ReLU', 'Tanh', 'Softmax', 'LogSoftmax', 'Flatten', 'Dropout'] as const;
export type LayerType = (typeof LAYER_TYPES)[number];

export const OPTIMIZERS = ['sgd', 'adam'] as const;
export type OptimizerType = (typeof OPTIMIZERS)[number];

export const LOSSES = ['cross_entropy', 'nll_loss', 'mse_loss'] as const;
export type LossType = (typeof LOSSES)[number];

export const DATASETS = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface LinearLayerSpec {
  type: 'Linear';
  /** state_dict prefix; defaults to the layer's index as in nn.Sequential. */
  name?: string;
  /** Inferred from the incoming shape when left out. */
  in?: number;
  out: number;
  bias?: boolean;
}
export interface ActivationLayerSpec {
  type: 'Sigmoid' | 'ReLU' | 'Tanh';
  name?: string;
}
export interface SoftmaxLayerSpec {
  type: 'Softmax' | 'LogSoftmax';
  name?: string;
  dim?: number;
}
export interface FlattenLayerSpec {
  type: 'Flatten';
  name?: string;
  startDim?: number;
  endDim?: number;
}
export interface DropoutLayerSpec {
  type: 'Dropout';
  name?: string;
  p?: number;
}
export type LayerSpec = LinearLayerSpec | ActivationLayerSpec | SoftmaxLayerSpec | FlattenLayerSpec | DropoutLayerSpec;

export interface OptimizerSpec {
  type: OptimizerType;
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  betas?: [number, number];
  eps?: number;
}

export interface TrainSpec {
  batchSize: number;
  epochs: number;
  shuffle: boolean;
  loss: LossType;
  optimizer: OptimizerSpec;
}

export interface ModelSpec {
  name: string;
  input: { shape: number[]; dataset: DatasetName };
  layers: LayerSpec[];
  init: { seed: number; scheme: 'pytorch' | 'scaled-normal' };
  train: TrainSpec;
}
