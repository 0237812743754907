/**
 * Tensor-inspector expressions, fuzzed: grammar-built expressions with random sizes, dims, slices and huge
 * numbers, token soup, half-typed and mistyped expressions, and deep nesting. Each gives a printed result or an
 * ExpressionError with a message; nothing else escapes, and no result passes the element limit. Each target
 * runs in a worker thread watched from here: an evaluation that hangs, or a worker that runs out of memory, fails
 * the test naming the expression.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import * as torch from '../../../src/engine';
import { LimitError, withLimits } from '../../../src/engine/limits';
import { FUZZ } from './runs';
import { inspectorScope } from './expr-cases';
import type { Job, Report, Target } from './expr.worker';

/** No expression may take longer than this (a hang detector, not a speed test: typical cases take a millisecond). */
const STALL_MS = 60_000;

function runTarget(script: string, job: Job): Promise<{ results: number; errors: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(script, { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    let last = '(before the first expression)';
    let timer: NodeJS.Timeout;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void w.terminate();
        reject(new Error(`${job.target}: no answer for ${STALL_MS / 1000} s evaluating ${JSON.stringify(last)}`));
      }, STALL_MS);
    };
    arm();
    w.on('message', (r: Report) => {
      if (r.kind === 'case') {
        last = r.expr;
        arm();
        return;
      }
      clearTimeout(timer);
      void w.terminate();
      if (r.kind === 'done') resolve(r);
      else reject(new Error(`${job.target}: ${r.message}`));
    });
    w.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${job.target}: the worker died (${e.message}) evaluating ${JSON.stringify(last)}`));
    });
  });
}

describe('tensor expression fuzzing (fast-check, fixed seeds, watched worker)', function () {
  this.timeout(10 * 60_000);
  let dir: string;
  let script: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-fuzz-expr-'));
    script = path.join(dir, 'expr.worker.js');
    await esbuild.build({ entryPoints: [path.join(__dirname, 'expr.worker.ts')], outfile: script, bundle: true, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'], logLevel: 'silent' });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const targets: [Target, keyof typeof FUZZ | null, string][] = [
    ['grammar', 'exprGrammar', 'expressions built from what people type, with random sizes, dims, slices and huge numbers'],
    ['soup', 'exprSoup', 'token soup'],
    ['mutated', 'exprMutated', 'half-typed and mistyped expressions'],
    ['deep', null, 'deep nesting and overlong input'],
  ];
  for (const [target, key, what] of targets) {
    const runs = key ? FUZZ[key] : { numRuns: 0, seed: 0 };
    it(`${what}: a result or an ExpressionError${key ? ` (${runs.numRuns} cases)` : ''}`, async () => {
      const r = await runTarget(script, { target, ...runs });
      if (process.env.NNLENS_FUZZ_STATS) console.log(target, r);
      if (target === 'grammar') assert.ok(r.results >= r.errors / 4, `enough meaningful expressions to mean something: ${r.results} results, ${r.errors} errors`);
    });
  }

  it('what would exhaust memory or time is refused quickly, with a message', () => {
    const scope = inspectorScope();
    const cases: [string, RegExp][] = [
      ['torch.ones(40000, 1) + torch.ones(1, 40000)', /^refusing to allocate a tensor of 1,600,000,000 elements \(the limit is 8,000,000\)$/],
      ['torch.ones(100000000)', /^ones\(\): refusing to make 100,000,000 elements \(the inspector's limit is 8,000,000\)$/],
      ['torch.ones(2000, 2000) @ torch.ones(2000, 2000)', /^refusing to compute more than 300,000,000 multiply-adds/],
      ['torch.arange(200000).tolist()', /^tolist\(\): refusing to make a list of 200,000 numbers/],
      ['W1.weight.expand(100000, 64, 784)', /^expand\(\): refusing to make 5,017,600,000 elements/],
      ['W1.weight.view(2**53 + 1, -1)', /^integer 9,007,199,254,740,992 is too large: the inspector's integers are exact up to 2\*\*53 - 1$/],
      ['10**400 - 10**400', /^integer result is too large/],
      ['torch.arange(0, 1, 0)', /^step must be nonzero$/],
      ['torch.arange(0, 10.0**400)', /^arange\(\): these arguments give no finite number of elements$/],
    ];
    for (const [expr, re] of cases) {
      const before = process.memoryUsage().arrayBuffers;
      assert.throws(() => torch.evaluateExpression(expr, scope), (e: unknown) => e instanceof torch.ExpressionError && re.test(e.message), expr);
      assert.ok(process.memoryUsage().arrayBuffers - before < 1.5e9, `${expr}: no more than what the limits allow`);
    }
  });

  it('the engine charges every storage and matrix product inside withLimits, and nothing outside', () => {
    const limits = { maxElements: 1000, maxTotalElements: 2500, maxMultiplyAdds: 10_000 };
    assert.throws(() => withLimits(limits, () => torch.zeros(1001)), (e: unknown) => e instanceof LimitError && e.message === 'refusing to allocate a tensor of 1,001 elements (the limit is 1,000)');
    assert.throws(() => withLimits(limits, () => torch.ones(40, 1).add(torch.ones(1, 40))), /a tensor of 1,600 elements/);
    assert.throws(() => withLimits(limits, () => [1, 2, 3].map(() => torch.zeros(900))), /^LimitError: refusing to allocate more than 2,500 elements in all$/);
    assert.throws(() => withLimits(limits, () => torch.ones(30, 20).matmul(torch.ones(20, 30))), /more than 10,000 multiply-adds/);
    assert.equal(withLimits(limits, () => torch.ones(10, 20).matmul(torch.ones(20, 30))).numel(), 300);
    // Nested scopes restore the outer one; outside any scope nothing is charged.
    withLimits(limits, () => {
      assert.throws(() => withLimits({ ...limits, maxElements: 10 }, () => torch.zeros(11)), LimitError);
      assert.equal(torch.zeros(1000).numel(), 1000);
    });
    assert.equal(torch.ones(2000, 1).add(torch.ones(1, 3000)).numel(), 6_000_000);
  });
});
