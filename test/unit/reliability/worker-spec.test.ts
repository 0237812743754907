/**
 * The training worker checks the spec of a start message before building anything: the host already refused
 * oversized model files, but a spec that reaches the worker any other way is bounded too (by the largest model
 * any nnLens.maxParameters setting accepts), and malformed layers are named.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModelSpec } from '../../../src/model/load';
import type { ModelSpec } from '../../../src/model/spec';
import { MAX_WORKER_PARAMS, validateHostToWorker } from '../../../src/train/validate';
import { trackAllocations } from '../fuzz/alloc-spy';

const ROOT = path.resolve(__dirname, '../../..');
const seed = loadModelSpec(fs.readFileSync(path.join(ROOT, 'test/fixtures/data/seed.nn.json'), 'utf8'), 'seed.nn.json');
const start = (spec: unknown): unknown => ({
  type: 'start',
  runId: 1,
  spec,
  data: { kind: 'embedded', mediaDir: '/nowhere' },
  options: { epochs: 1, batchSize: 10, seed: 0, shuffle: true, progressEveryMs: 100, snapshotEveryMs: 100 },
});
const withLayers = (layers: unknown[]): ModelSpec => ({ ...seed, layers } as ModelSpec);

describe('the worker checks a spec before building it', () => {
  it('accepts what loadModelSpec returns', () => {
    const m = validateHostToWorker(start(seed));
    assert.ok(m.type === 'start' && m.spec === seed);
  });

  it(`refuses more than ${MAX_WORKER_PARAMS.toLocaleString('en-US')} parameters, allocating nothing`, () => {
    const huge = withLayers([{ type: 'Linear', in: 784, out: 100_000 }, { type: 'ReLU' }, { type: 'Linear', out: 100_000 }, { type: 'Linear', out: 10 }]);
    const r = trackAllocations(() => validateHostToWorker(start(huge)));
    assert.ok(r.error instanceof Error);
    assert.equal(r.error.message, 'start.spec has 10,079,600,010 parameters, more than the 200,000,000 NN Lens builds');
    assert.ok(r.largest < 1 << 16);
  });

  it('names malformed layers and shapes', () => {
    const cases: [unknown, string][] = [
      [withLayers([{ type: 'Conv2d' }]), 'start.spec.layers[0].type must be one of Linear, Sigmoid, ReLU, Tanh, Softmax, LogSoftmax, Flatten, Dropout'],
      [withLayers([{ type: 'Linear', in: 784, out: 1e300 }]), "start.spec.layers[0]: a Linear's in and out must be sizes"],
      [withLayers([{ type: 'Linear', in: -1, out: 10 }]), "start.spec.layers[0]: a Linear's in and out must be sizes"],
      [withLayers([null]), 'start.spec.layers[0] must be an object'],
      [{ ...seed, input: { shape: [784.5] } }, 'start.spec.input.shape must be a list of sizes, got [784.5]'],
    ];
    for (const [spec, message] of cases) assert.throws(() => validateHostToWorker(start(spec)), (e: Error) => e.message === message, message);
  });
});
