// Autograd behaviour a PyTorch user relies on: accumulation, backward(gradient), no_grad, the second-backward
// error, retain_grad, zero_grad, leaf rules, and dropout's train/eval semantics.
import { strict as assert } from 'node:assert';
import * as torch from '../../../src/engine';

const { nn, optim } = torch;

describe('autograd', () => {
  it('accumulates into leaf .grad across backward calls until zeroed', () => {
    const w = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    w.mul(2).sum().backward();
    w.mul(3).sum().backward();
    assert.deepEqual(Array.from((w.grad as torch.Tensor).toArray()), [5, 5, 5]);
    const opt = new optim.SGD([w], { lr: 0.1 });
    opt.zeroGrad();
    assert.deepEqual(Array.from((w.grad as torch.Tensor).toArray()), [0, 0, 0]);
    opt.zeroGrad(true);
    assert.equal(w.grad, null);
  });

  for (const [name, density] of [['dense', 1], ['sparse (MNIST-like) input', 0.15]] as const) {
    it(`a Linear's weight gradient accumulates into an existing .grad (${name} path)`, () => {
      const gen = new torch.Generator(5);
      const x = torch.rand(12, 784, { generator: gen }).mul(torch.rand(12, 784, { generator: gen }).lt(density).float());
      torch.manualSeed(1);
      const lin = new nn.Linear(784, 20);
      torch.nn.functional.linear(x, lin.weight, lin.bias).sum().backward();
      const once = (lin.weight.grad as torch.Tensor).clone();
      const held = lin.weight.grad;
      torch.nn.functional.linear(x, lin.weight, lin.bias).sum().backward();
      assert.equal(lin.weight.grad, held, 'accumulated in place, as PyTorch does');
      const a = (lin.weight.grad as torch.Tensor).toArray();
      const b = once.toArray();
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - 2 * b[i]) < 1e-5, `element ${i}: ${a[i]} vs 2 × ${b[i]}`);
    });
  }

  it('backward(gradient) on a non-scalar output, and the error without one', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const y = x.mul(x);
    assert.throws(() => y.backward(), /grad can be implicitly created only for scalar outputs/);
    y.backward(torch.tensor([1, 10], { dtype: 'float32' }));
    assert.deepEqual(Array.from((x.grad as torch.Tensor).toArray()), [2, 40]);
  });

  it('a second backward through the same graph is an error unless retainGraph', () => {
    const x = torch.tensor([1.5], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward(null, { retainGraph: true });
    y.backward();
    assert.ok(Math.abs((x.grad as torch.Tensor).item() - 2 * Math.exp(1.5)) < 1e-5);
    assert.throws(() => y.backward(), /Trying to backward through the graph a second time/);
  });

  it('no_grad records nothing; results do not require grad', () => {
    const w = torch.ones(2, 2, { requiresGrad: true });
    const y = torch.noGrad(() => w.mul(2).sum());
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    assert.equal(y.toString(), 'tensor(8.)');
    assert.equal(w.mul(2).sum().toString(), 'tensor(8., grad_fn=<SumBackward0>)');
  });

  it('retain_grad keeps a non-leaf gradient; other non-leaves keep none', () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const h = x.mul(3).retainGrad();
    const z = x.mul(4);
    h.add(z).sum().backward();
    assert.deepEqual(Array.from((h.grad as torch.Tensor).toArray()), [1, 1]);
    assert.equal(z.grad, null);
    assert.deepEqual(Array.from((x.grad as torch.Tensor).toArray()), [7, 7]);
  });

  it('two leaves fed by one gradient get separate .grad storage', () => {
    const a = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const b = torch.tensor([3, 4], { dtype: 'float32', requiresGrad: true });
    a.add(b).sum().backward();
    (a.grad as torch.Tensor).zero_();
    assert.deepEqual(Array.from((b.grad as torch.Tensor).toArray()), [1, 1]);
  });

  it('in-place ops on a leaf that requires grad are refused outside no_grad', () => {
    const w = nn.Parameter(torch.zeros(3));
    assert.throws(() => w.add_(1), /a leaf Variable that requires grad is being used in an in-place operation/);
    torch.noGrad(() => w.add_(1));
    assert.deepEqual(Array.from(w.toArray()), [1, 1, 1]);
  });

  it('.data and .detach() share storage but leave the graph', () => {
    const w = nn.Parameter(torch.zeros(2));
    const d = w.data;
    d.fill_(5);
    assert.deepEqual(Array.from(w.toArray()), [5, 5]);
    assert.equal(d.requiresGrad, false);
    assert.equal(d.toString(), 'tensor([5., 5.])');
  });
});

describe('dropout', () => {
  it('zeroes about p of the inputs and scales the rest by 1/(1-p) in training; identity in eval', () => {
    const drop = new nn.Dropout(0.25, new torch.Generator(1));
    const x = torch.ones(100, 100, { requiresGrad: true });
    const y = drop.forward(x);
    const v = y.toArray();
    let zeros = 0;
    for (const e of v) {
      if (e === 0) zeros++;
      else assert.ok(Math.abs(e - 1 / 0.75) < 1e-6);
    }
    assert.ok(Math.abs(zeros / v.length - 0.25) < 0.02, `dropped ${zeros / v.length}`);
    assert.equal(y.gradFn?.name, 'MulBackward0');
    y.sum().backward();
    const g = (x.grad as torch.Tensor).toArray();
    for (let i = 0; i < v.length; i++) assert.equal(g[i], v[i], 'the gradient is the mask');
    drop.eval();
    assert.equal(drop.forward(x), x);
    assert.equal(String(drop), 'Dropout(p=0.25, inplace=False)');
  });
});
