// The fused MLP training step (src/engine/fused.ts) against the autograd path it replaces in the Trainer: the same
// losses, gradients and weights, bit for bit (±0 aside), for sigmoid and ReLU networks, dense and sparse batches,
// and the shapes it must refuse.
import { strict as assert } from 'node:assert';
import * as torch from '../../../src/engine';
import { Trainer } from '../../../src/train/trainer';
import { loadModelSpec } from '../../../src/model/load';
import { loadEmbedded } from '../../../src/data/dataset';
import * as path from 'node:path';

const { nn, optim } = torch;
const F = nn.functional;

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i]))) continue;
    assert.fail(`${what}: element ${i} is ${b[i]} fused, ${a[i]} through autograd`);
  }
}

type Build = () => torch.nn.Sequential;
const mlp = (sizes: number[], act: 'sigmoid' | 'relu'): Build => () => {
  const mods: [string, torch.nn.Module][] = [];
  sizes.slice(1).forEach((out, i) => {
    mods.push([`W${i + 1}`, new nn.Linear(sizes[i], out)]);
    if (i < sizes.length - 2) mods.push([`a${i + 1}`, act === 'sigmoid' ? new nn.Sigmoid() : new nn.ReLU()]);
  });
  return new nn.Sequential(mods);
};

/** `steps` SGD steps on fixed random batches (a share of zeros, as images); per step the loss, then every parameter and gradient. */
function run(build: Build, fused: boolean, batch: number, steps: number, zeros: number): { losses: number[]; params: Float32Array[]; grads: Float32Array[] } {
  torch.manualSeed(11);
  const model = build();
  const opt = new optim.SGD(model.parameters(), { lr: 0.2 });
  const step = fused ? torch.FusedMlpStep.of(model.children()) : null;
  if (fused) assert.ok(step, 'the fused step takes this model');
  const losses: number[] = [];
  const inF = (model.children()[0] as torch.nn.Linear).inFeatures;
  for (let s = 0; s < steps; s++) {
    const M = s === steps - 1 ? Math.max(1, batch >> 1) : batch; // a smaller last batch, as an epoch's
    const x = torch.rand([M, inF]).mul(torch.rand([M, inF]).gt(zeros));
    const y = torch.randint(0, (model.children().at(-1) as torch.nn.Linear).outFeatures, [M]);
    if (step) {
      losses.push(step.forward(x, y).loss);
      opt.zeroGrad();
      step.backward();
    } else {
      const loss = F.crossEntropy(model.forward(x), y);
      losses.push(loss.item());
      opt.zeroGrad();
      loss.backward();
    }
    opt.step();
  }
  const ps = model.parameters();
  return { losses, params: ps.map((p) => p.toArray() as Float32Array), grads: ps.map((p) => p.grad!.toArray() as Float32Array) };
}

describe('the fused MLP step', function () {
  this.timeout(60_000);

  const cases: [string, Build, number, number][] = [
    ['784-64-10 sigmoid, batch 10 (the seed network)', mlp([784, 64, 10], 'sigmoid'), 10, 0.5],
    ['784-64-10 sigmoid, batch 64, 80% zeros (the sparse kernels)', mlp([784, 64, 10], 'sigmoid'), 64, 0.8],
    ['784-256-256-10 ReLU, batch 64', mlp([784, 256, 256, 10], 'relu'), 64, 0.5],
    ['100-30-20-7 ReLU, batch 3 (odd sizes)', mlp([100, 30, 20, 7], 'relu'), 3, 0.3],
  ];
  for (const [name, build, batch, zeros] of cases) {
    it(`gives the autograd path's losses, gradients and weights: ${name}`, () => {
      const a = run(build, false, batch, 6, zeros), f = run(build, true, batch, 6, zeros);
      sameBits(a.losses, f.losses, 'losses');
      a.grads.forEach((g, i) => sameBits(Array.from(g, (v) => v + 0), Array.from(f.grads[i], (v) => v + 0), `grad ${i}`));
      a.params.forEach((p, i) => sameBits(p, f.params[i], `parameter ${i}`));
    });
  }

  it('backward(true) writes the gradients over old ones (zero_grad and backward in one pass)', () => {
    torch.manualSeed(3);
    const model = mlp([50, 20, 10], 'relu')();
    const step = torch.FusedMlpStep.of(model.children())!;
    const x = torch.rand([8, 50]), y = torch.randint(0, 10, [8]);
    step.forward(x, y);
    step.backward();
    const once = model.parameters().map((p) => Array.from(p.grad!.toArray()));
    step.backward(); // accumulates: twice the gradient
    model.parameters().forEach((p, i) => sameBits(once[i].map((v) => Math.fround(v + v)), p.grad!.toArray(), `doubled grad ${i}`));
    step.backward(true);
    model.parameters().forEach((p, i) => sameBits(once[i], p.grad!.toArray(), `overwritten grad ${i}`));
  });

  it('refuses what it does not compute: other layers, a Linear without bias, a trailing or doubled activation, Linears in a row', () => {
    const of = (mods: torch.nn.Module[]) => torch.FusedMlpStep.of(mods);
    assert.equal(of([new nn.Linear(4, 3), new nn.Dropout(0.5), new nn.Linear(3, 2)]), null);
    assert.equal(of([new nn.Linear(4, 3, false)]), null);
    assert.equal(of([new nn.Linear(4, 3), new nn.ReLU()]), null);
    assert.equal(of([new nn.Linear(4, 3), new nn.ReLU(), new nn.ReLU(), new nn.Linear(3, 2)]), null);
    assert.equal(of([new nn.Linear(4, 3), new nn.Linear(5, 2)]), null, 'sizes that do not chain');
    assert.equal(of([]), null);
    assert.equal(of([new nn.Linear(4, 3), new nn.Linear(3, 2)]), null, 'two Linears in a row (autograd takes them)');
    const step = of([new nn.Linear(4, 3)])!;
    assert.throws(() => step.forward(torch.rand([2, 5]), torch.tensor([0, 1], { dtype: 'int64' })), /expected a float32 batch \[B, 4\]/);
    assert.throws(() => step.forward(torch.rand([2, 4]), torch.tensor([0, 7], { dtype: 'int64' })), /Target 7 is out of bounds/);
    assert.throws(() => step.backward(), /backward before forward/);
  });

  it('the Trainer takes it for the seed model and trains to the same weights as without it', () => {
    const spec = loadModelSpec(JSON.stringify({
      name: 'seed', input: { shape: [784] },
      layers: [{ name: 'W1', type: 'Linear', in: 784, out: 64 }, { type: 'Sigmoid' }, { name: 'W2', type: 'Linear', in: 64, out: 10 }, { type: 'Softmax' }],
      train: { batchSize: 32, epochs: 1, loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.1 } },
    }), 'seed.nn.json');
    const data = loadEmbedded(path.join(__dirname, '../../../media/mnist'));
    const train = (fused: boolean) => {
      const t = new Trainer(spec, data, { epochs: 1, batchSize: 32, seed: 1, shuffle: true, maxSteps: 40, fused });
      assert.equal(t.fused !== null, fused);
      const losses: number[] = [];
      for (;;) {
        const e = t.advance();
        if (e.type === 'step') losses.push(e.loss, e.correct);
        if (e.type === 'done') return { losses, weights: t.model.parameters().map((p) => p.toArray() as Float32Array), acc: e.test.accuracy };
      }
    };
    const a = train(false), f = train(true);
    sameBits(a.losses, f.losses, 'losses and correct counts per step');
    a.weights.forEach((w, i) => sameBits(w, f.weights[i], `parameter ${i}`));
    assert.equal(f.acc, a.acc);
  });
});
