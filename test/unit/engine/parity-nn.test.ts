// PyTorch parity of the generator (torch.manual_seed streams and nn.Linear init), the optimisers' steps, and
// module reprs / state_dict keys, against fixtures made by Debian's python3-torch 1.13.
import { strict as assert } from 'node:assert';
import * as torch from '../../../src/engine';
import { Encoded, assertClose, decode, fixture } from './fixtures';

const { nn, optim } = torch;

interface RngCase {
  seed: number;
  rand: number[];
  rand64: number[];
  randn_small: number[];
  randn_big: number[];
  randn64: number[];
  randint: number[];
  randint_big: number[];
  randperm: number[];
  linear_weight_head: number[];
  linear_weight_sum: number;
  linear_bias: number[];
  seq_w2: number[];
  seq_b2: number[];
}

const list = (t: torch.Tensor) => Array.from(t.toArray());

describe('PyTorch parity: the seeded generator', () => {
  for (const c of fixture<RngCase[]>('rng.json')) {
    it(`manual_seed(${c.seed}) streams: rand, randn, randint, randperm bit for bit`, () => {
      torch.manualSeed(c.seed);
      assert.deepEqual(list(torch.rand(20)), c.rand);
      assert.deepEqual(list(torch.rand(5, { dtype: 'float64' })), c.rand64);
      assert.deepEqual(list(torch.randn(7)), c.randn_small);
      // PyTorch's vectorised Box-Muller uses its own sin/cos/log approximations: equal to float32 precision.
      list(torch.randn(37)).forEach((v, i) => assert.ok(Math.abs(v - c.randn_big[i]) < 2e-6, `randn_big[${i}]`));
      list(torch.randn(19, { dtype: 'float64' })).forEach((v, i) => assert.ok(Math.abs(v - c.randn64[i]) < 1e-12, `randn64[${i}]`));
      assert.deepEqual(list(torch.randint(0, 10, [12])), c.randint);
      assert.deepEqual(list(torch.randint(-5, 2 ** 33, [4])), c.randint_big);
      assert.deepEqual(list(torch.randperm(25)), c.randperm);
    });
    it(`manual_seed(${c.seed}); nn.Linear(784, 64) gives PyTorch's weights exactly`, () => {
      torch.manualSeed(c.seed);
      const lin = new nn.Linear(784, 64);
      assert.deepEqual(list(lin.weight).slice(0, 50), c.linear_weight_head);
      const sum = list(lin.weight).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - c.linear_weight_sum) < 1e-9);
      assert.deepEqual(list(lin.bias as torch.Tensor), c.linear_bias);
      torch.manualSeed(c.seed);
      const seq = new nn.Sequential(new nn.Linear(784, 64), new nn.Sigmoid(), new nn.Linear(64, 10));
      const w2 = seq.get(2) as torch.nn.Linear;
      assert.deepEqual(list(w2.weight), c.seq_w2);
      assert.deepEqual(list(w2.bias as torch.Tensor), c.seq_b2);
    });
  }
});

interface OptimCase {
  name: string;
  init: Encoded[];
  grads: Encoded[][];
  final: Encoded[];
}

const makers: Record<string, (ps: torch.Tensor[]) => torch.optim.Optimizer> = {
  sgd: (ps) => new optim.SGD(ps, { lr: 0.1 }),
  sgd_momentum: (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9 }),
  sgd_nesterov_wd: (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
  sgd_dampening: (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.5, dampening: 0.3 }),
  adam: (ps) => new optim.Adam(ps, { lr: 0.01 }),
  adam_wd: (ps) => new optim.Adam(ps, { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }),
  adam_amsgrad: (ps) => new optim.Adam(ps, { lr: 0.02, amsgrad: true }),
};

describe('PyTorch parity: optimiser steps', () => {
  for (const c of fixture<OptimCase[]>('optim.json')) {
    it(`${c.name}: ${c.grads.length} steps`, () => {
      const ps = c.init.map((e) => nn.Parameter(decode(e)));
      const o = makers[c.name](ps);
      for (const gs of c.grads) {
        gs.forEach((g, i) => (ps[i].grad = decode(g)));
        o.step();
      }
      ps.forEach((p, i) => assertClose(p, c.final[i], `${c.name} param ${i}`));
    });
  }
});

interface ModCase {
  name: string;
  repr: string;
  keys: string[];
  shapes: number[][];
}

const modules: Record<string, () => torch.nn.Module> = {
  notebook: () => new nn.Sequential([['W1', new nn.Linear(784, 64)], ['1', new nn.Sigmoid()], ['W2', new nn.Linear(64, 10)], ['3', new nn.Softmax(1)]]),
  indexed: () => new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 128), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(128, 10, false), new nn.LogSoftmax(1)),
  nested: () => new nn.Sequential(new nn.Sequential(new nn.Linear(4, 3), new nn.Tanh()), new nn.Linear(3, 2)),
  dropout: () => new nn.Dropout(0.25),
  flatten: () => new nn.Flatten(0, -1),
  linear_nobias: () => new nn.Linear(3, 2, false),
};

describe('PyTorch parity: module repr and state_dict keys', () => {
  for (const c of fixture<ModCase[]>('modules.json')) {
    it(c.name, () => {
      const m = modules[c.name]();
      assert.equal(m.toString(), c.repr);
      const sd = m.stateDict();
      assert.deepEqual([...sd.keys()], c.keys);
      assert.deepEqual([...sd.values()].map((t) => t.shape.slice()), c.shapes);
    });
  }
});
