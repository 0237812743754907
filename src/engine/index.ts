/**
 * The NN Lens tensor engine: a PyTorch-compatible subset in TypeScript.
 *   import * as torch from './engine';
 *   torch.manualSeed(0); const W1 = new torch.nn.Linear(784, 8); String(W1.weight.data.shape) // torch.Size([8, 784])
 */
export { Tensor } from './tensor';
export type { Operand } from './tensor';
export { Size } from './shape';
export type { DType } from './dtype';
export { Generator, defaultGenerator, manualSeed } from './random';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, Node } from './autograd';
export {
  tensor, fromStorage, empty, zeros, ones, full, zerosLike, onesLike, arange, linspace, eye, rand, randn, randint, randperm,
} from './creation';
export type { TensorOptions, RandomOptions } from './creation';
export {
  add, sub, rsub, mul, div, reciprocal, pow, rpow, neg, exp, log, sqrt, abs, clamp, sigmoid, tanh, relu, maximum, compare,
} from './ops/elementwise';
export { sum, mean, variance as var_, std, norm, maxAll, maxDim, argmax, sumToShape } from './ops/reduce';
export type { ValuesIndices, VarOptions } from './ops/reduce';
export { matmul, mm, addmm, linear } from './ops/linalg';
export { softmax, logSoftmax, crossEntropy, nllLoss, mseLoss, dropout } from './ops/nnfunc';
export {
  view, reshape, flatten, permute, transpose, t, unsqueeze, squeeze, expand, contiguous, clone, detach, cat, stack, select,
  sliceDim, toDType,
} from './ops/view';
export { Slice, slice, Ellipsis, parseIndex, parseIndexText, indexTensor } from './ops/indexing';
export type { IndexItem } from './ops/indexing';
export { formatTensor, formatRepr, formatBody, pyFixed, pyExp, pyRepr, PRINT_OPTIONS } from './print';
export type { ReprOptions } from './print';
export * as nn from './nn';
export * as optim from './optim';
export { evaluate as evaluateExpression, ExpressionError, repr as pyReprValue } from './expr';
export type { EvalResult as ExpressionResult } from './expr';
export { kernelBackend, setKernelBackend, pinnedBytes, allocPinned, wasmBytesToUnit, attachKernelHelper, detachKernelHelper, kernelThreads } from './kernels/wasm';
export type { HelperStarter, HelperThread } from './kernels/helper';
export { FusedMlpStep } from './fused';
