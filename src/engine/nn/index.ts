/** torch.nn */
export { Module, Parameter } from './module';
export type { StateDict } from './module';
export { Linear, Sequential, Sigmoid, ReLU, Tanh, Softmax, LogSoftmax, Flatten, Dropout } from './layers';
export type { InitScheme, LinearOptions } from './layers';
export * as functional from './functional';
