// Training smoke test: the notebook's 784-64-10 sigmoid MLP learns real MNIST digits (the embedded subset).
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as torch from '../../../src/engine';
import { loadEmbedded } from '../../../src/data/dataset';

const { nn, optim } = torch;
const F = nn.functional;

describe('training smoke test on real digits', () => {
  it('the 784-64-10 sigmoid MLP: loss falls and accuracy rises over 5 passes of 500 digits', () => {
    const { train } = loadEmbedded(path.join(__dirname, '..', '..', '..', 'media', 'mnist'));
    const n = 500;
    const x = torch.tensor(Float32Array.from(train.images.subarray(0, n * 784), (v) => v / 255)).view(n, 784);
    const y = torch.tensor(Float64Array.from(train.labels.subarray(0, n)), { dtype: 'int64' });
    torch.manualSeed(0);
    const model = new nn.Sequential([['W1', new nn.Linear(784, 64)], ['act', new nn.Sigmoid()], ['W2', new nn.Linear(64, 10)]]);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const evaluate = () => torch.noGrad(() => {
      const logits = model.forward(x);
      const acc = logits.argmax(1).eq(y).float().mean().item();
      return { loss: F.crossEntropy(logits, y).item(), acc };
    });
    const before = evaluate();
    for (let epoch = 0; epoch < 5; epoch++) {
      for (let i = 0; i < n; i += 10) {
        const xb = x.index(`${i}:${i + 10}`);
        const yb = y.index(`${i}:${i + 10}`);
        opt.zeroGrad();
        const loss = F.crossEntropy(model.forward(xb), yb);
        assert.ok(Number.isFinite(loss.item()));
        loss.backward();
        opt.step();
      }
    }
    const after = evaluate();
    assert.ok(before.loss > 2.2, `an untrained net is near log(10): ${before.loss}`);
    assert.ok(after.loss < before.loss - 1.0, `loss fell from ${before.loss} to ${after.loss}`);
    assert.ok(after.acc > 0.75, `training accuracy ${after.acc}`);
  });
});
