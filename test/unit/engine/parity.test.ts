// PyTorch parity: every op's values, gradients, grad_fn name and printed text against fixtures made by
// Debian's python3-torch 1.13 (scripts/make_fixtures.py). atol 1e-5, rtol 1e-4.
import { strict as assert } from 'node:assert';
import * as torch from '../../../src/engine';
import { Encoded, assertClose, decode, fixture } from './fixtures';
import { OPS, Params } from './op-table';

interface OpCase {
  name: string;
  op: string;
  params: Params;
  inputs: Encoded[];
  requires_grad: boolean[];
  out: Encoded;
  indices?: Encoded;
  grad_fn: string | null;
  repr: string;
  upstream?: Encoded;
  grads?: (Encoded | null)[];
}

describe('PyTorch parity: ops (values, gradients, grad_fn, repr)', () => {
  for (const c of fixture<OpCase[]>('ops.json')) {
    it(c.name, () => {
      const inputs = c.inputs.map((e, i) => {
        const t = decode(e);
        if (c.requires_grad[i]) t.requiresGrad = true;
        return t;
      });
      const fn = OPS[c.op];
      assert.ok(fn, `no op ${c.op} in the table`);
      const r = fn(inputs, c.params);
      const out = r instanceof torch.Tensor ? r : r.values;
      assert.equal(out.dtype, c.out.dtype, 'dtype');
      assertClose(out, c.out, 'output');
      if (c.indices && !(r instanceof torch.Tensor)) assertClose(r.indices, c.indices, 'indices', 0, 0);
      assert.equal(out.gradFn?.name ?? null, c.grad_fn, 'grad_fn');
      if (c.upstream && c.grads) {
        out.backward(decode(c.upstream));
        c.grads.forEach((g, i) => {
          if (g === null) assert.equal(inputs[i].grad, null, `grad[${i}] should be None`);
          else assertClose(inputs[i].grad as torch.Tensor, g, `grad[${i}]`);
        });
      }
    });
  }
});

describe('PyTorch parity: printed text', () => {
  const ops = fixture<OpCase[]>('ops.json');
  for (const c of ops) {
    // The repr uses 4 decimals, so values within 1e-5 can still round differently at a boundary:
    // compare the printed text only where every printed value is far from a rounding boundary.
    it(`repr of ${c.name}`, () => {
      const inputs = c.inputs.map((e, i) => {
        const t = decode(e);
        if (c.requires_grad[i]) t.requiresGrad = true;
        return t;
      });
      const r = OPS[c.op](inputs, c.params);
      const out = r instanceof torch.Tensor ? r : r.values;
      const fromTorch = decode(c.out);
      if (fromTorch.gradFn === null && out.gradFn) fromTorch.gradFn = out.gradFn;
      if (out.requiresGrad && out.isLeaf) fromTorch.requiresGrad = true;
      // Our text for PyTorch's own values must be PyTorch's text exactly...
      assert.equal(withSuffix(fromTorch, out), c.repr);
      // ...and our computed values print the same unless one sits within 1e-5 of a rounding boundary.
      if (!nearBoundary(out)) assert.equal(out.toString(), c.repr);
    });
  }

  interface PrintCase { t: Encoded; repr: string; requires_grad?: boolean; grad_fn?: string; parameter?: boolean }
  for (const [i, c] of fixture<PrintCase[]>('printing.json').entries()) {
    it(`printing #${i}: ${c.repr.split('\n')[0].slice(0, 60)}`, () => {
      const t = decode(c.t);
      if (c.requires_grad || c.parameter) t.requiresGrad = true;
      if (c.parameter) t.isParameter = true;
      if (c.grad_fn) {
        t.requiresGrad = true;
        t.gradFn = new torch.Node(c.grad_fn, [], null);
      }
      assert.equal(t.toString(), c.repr);
    });
  }
});

function withSuffix(t: torch.Tensor, like: torch.Tensor): string {
  if (like.gradFn) {
    t.requiresGrad = true;
    t.gradFn = like.gradFn;
  }
  return t.toString();
}

function nearBoundary(t: torch.Tensor): boolean {
  const v = t.toArray();
  for (let i = 0; i < v.length; i++) {
    const x = Math.abs(v[i]) * 1e4;
    const frac = x - Math.floor(x);
    if (Math.abs(frac - 0.5) < 0.2) return true;
  }
  return false;
}

describe('PyTorch parity: error messages name the op, the shapes and the rule', () => {
  interface ErrCase { name: string; type?: string; message: string | null }
  const run: Record<string, () => unknown> = {
    mm_mismatch: () => torch.ones(1, 784).matmul(torch.ones(64, 10)),
    linear_mismatch: () => torch.linear(torch.ones(1, 784), torch.ones(10, 64)),
    add_mismatch: () => torch.ones(3, 4).add(torch.ones(5)),
    view_bad: () => torch.ones(10).view(3, -1),
    view_two_infer: () => torch.ones(12).view(-1, -1),
    view_noncontig: () => torch.ones(3, 4).T.view(-1),
    dim_range: () => torch.ones(3, 4).sum(2),
    index_range: () => torch.ones(3, 4).index(5),
    too_many: () => torch.ones(3, 4).index('0, 0, 0'),
    neg_step: () => torch.ones(3, 4).index('::-1'),
    ce_target_range: () => torch.crossEntropy(torch.ones(2, 10), torch.tensor([1, 12])),
    ce_batch: () => torch.crossEntropy(torch.ones(2, 10), torch.tensor([1, 2, 3])),
    item_many: () => torch.ones(3).item(),
    dot_mismatch: () => torch.ones(3).matmul(torch.ones(4)),
    mv_mismatch: () => torch.ones(3, 4).matmul(torch.ones(5)),
    expand_bad: () => torch.ones(3).expand(3, 4),
    cat_bad: () => torch.cat([torch.ones(2, 3), torch.ones(2, 4)]),
    stack_bad: () => torch.stack([torch.ones(2, 3), torch.ones(2, 4)]),
    leaf_inplace: () => new torch.nn.Linear(2, 2).weight.add_(1),
    backward_nonscalar: () => torch.ones(3, { requiresGrad: true }).mul(2).backward(),
    backward_nograd: () => torch.ones(3).sum().backward(),
    mean_long: () => torch.arange(3).mean(),
    int_requires_grad: () => torch.arange(3).requiresGrad_(),
    load_state_dict: () => new torch.nn.Linear(784, 64).loadStateDict(new torch.nn.Linear(784, 8).stateDict()),
    load_state_dict_keys: () => new torch.nn.Sequential(new torch.nn.Linear(2, 2)).loadStateDict({ 'W1.weight': torch.ones(2, 2) }),
    softmax_dim: () => torch.softmax(torch.ones(3, 4), 2),
    permute_dup: () => torch.ones(2, 3).permute(0, 0),
    flatten_order: () => torch.ones(2, 3, 4).flatten(2, 1),
    dropout_p: () => torch.dropout(torch.ones(3), 1.5),
    sgd_lr: () => new torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], { lr: -1 }),
    nesterov: () => new torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], { lr: 0.1, nesterov: true }),
  };
  for (const c of fixture<ErrCase[]>('errors.json')) {
    it(c.name, () => {
      const f = run[c.name];
      assert.ok(f, `no case ${c.name}`);
      if (c.message === null) {
        f();
        return;
      }
      assert.throws(f, (e: Error) => {
        assert.equal(e.message.split('\n')[0], c.message);
        return true;
      });
    });
  }
});
