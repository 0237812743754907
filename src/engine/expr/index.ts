/** The tensor inspector's expression language. */
export { evaluate, toValue, ExpressionError } from './evaluate';
export type { EvalResult } from './evaluate';
export { repr, PyNum, Seq } from './values';
export type { Value } from './values';
