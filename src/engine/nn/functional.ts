/** torch.nn.functional. */
export { sigmoid, tanh, relu } from '../ops/elementwise';
export { softmax, logSoftmax, crossEntropy, nllLoss, mseLoss, dropout } from '../ops/nnfunc';
export type { Reduction, LossOptions } from '../ops/nnfunc';
export { linear } from '../ops/linalg';
