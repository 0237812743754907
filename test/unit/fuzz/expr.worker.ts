/**
 * Worker side of the expression fuzzer (bundled by expr.test.ts): runs one target with fast-check and posts each
 * expression before evaluating it, so that the test can name the expression if evaluation hangs or the worker
 * dies. Posts {kind: 'done', results, errors} or {kind: 'failed', message} (with fast-check's seed and path).
 */
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { deepCases, evaluateChecked, exprArb, inspectorScope, mutatedArb, soupArb } from './expr-cases';

export type Target = 'grammar' | 'soup' | 'mutated' | 'deep';
export interface Job {
  target: Target;
  seed: number;
  numRuns: number;
}
export type Report = { kind: 'case'; expr: string } | { kind: 'done'; results: number; errors: number } | { kind: 'failed'; message: string };

const port = parentPort;
const job = workerData as Job;
const post = (r: Report): void => port?.postMessage(r);
const scope = inspectorScope();
let results = 0;
let errors = 0;
const check = (expr: string): void => {
  post({ kind: 'case', expr });
  if (evaluateChecked(expr, scope).ok) results++;
  else errors++;
};

try {
  if (job.target === 'deep') deepCases().forEach(check);
  else {
    const arb = job.target === 'grammar' ? exprArb : job.target === 'soup' ? soupArb : mutatedArb;
    fc.assert(fc.property(arb, check), { seed: job.seed, numRuns: job.numRuns });
  }
  post({ kind: 'done', results, errors });
} catch (e) {
  const cause = e instanceof Error && e.cause instanceof Error ? `\nCaused by: ${e.cause.message}` : '';
  post({ kind: 'failed', message: (e instanceof Error ? e.message : String(e)) + cause });
}
