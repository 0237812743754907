// The teaching notebook's lines, each checked against what PyTorch 1.13 prints for the same seed
// (expected text captured from Debian's python3-torch; see scripts/make_fixtures.py for the generated fixtures).
import { strict as assert } from 'node:assert';
import * as torch from '../../../src/engine';

const { nn } = torch;
const F = nn.functional;

describe('the notebook, line by line', () => {
  it('W1 = nn.Linear(784, 8): shape and the top-left weights', () => {
    torch.manualSeed(0);
    const W1 = new nn.Linear(784, 8);
    assert.equal(String(W1.weight.data.shape), 'torch.Size([8, 784])');
    assert.equal(
      String(W1.weight.data.index(':2, :3')),
      'tensor([[-0.0003,  0.0192, -0.0294],\n        [-0.0198, -0.0150, -0.0104]])',
    );
  });

  it('W1(X_1) on torch.rand(28*28) prints with grad_fn=<AddBackward0>', () => {
    torch.manualSeed(0);
    const W1 = new nn.Linear(784, 8);
    const X_1 = torch.rand(28 * 28);
    assert.equal(
      String(W1.call(X_1)),
      'tensor([ 0.0152, -0.4221, -0.0251,  0.0737, -0.4554, -0.0394,  0.0251,  0.4286],\n       grad_fn=<AddBackward0>)',
    );
  });

  it('z1 = W1.weight @ X_1.view(1, -1).T + W1.bias broadcasts [64, 1] + [64] to [64, 64]', () => {
    torch.manualSeed(0);
    const W1 = new nn.Linear(784, 64);
    const X_1 = torch.rand(28 * 28);
    const z1 = W1.weight.matmul(X_1.view(1, -1).T).add(W1.bias as torch.Tensor);
    assert.equal(String(z1.shape), 'torch.Size([64, 64])');
    assert.equal(z1.gradFn?.name, 'AddBackward0');
    // Column j is the same product plus bias[j]: the trap the notebook points out.
    const col = W1.weight.matmul(X_1);
    assert.ok(Math.abs(z1.at(5, 7) - (col.at(5) + (W1.bias as torch.Tensor).at(7))) < 1e-6);
    assert.equal(torch.sigmoid(z1).gradFn?.name, 'SigmoidBackward0');
  });

  it('build_model() prints like PyTorch and its forward gives probabilities', () => {
    class Net extends nn.Module {
      W1 = new nn.Linear(784, 64);
      W2 = new nn.Linear(64, 10);
      constructor() {
        super();
        this.registerModule('W1', this.W1);
        this.registerModule('W2', this.W2);
      }
      forward(x: torch.Tensor): torch.Tensor {
        return F.softmax(this.W2.call(F.sigmoid(this.W1.call(x))), 1);
      }
    }
    torch.manualSeed(0);
    const model = new Net();
    assert.equal(
      String(model),
      'Net(\n  (W1): Linear(in_features=784, out_features=64, bias=True)\n  (W2): Linear(in_features=64, out_features=10, bias=True)\n)',
    );
    const p = model.call(torch.rand(2, 784));
    assert.deepEqual(p.shape.slice(), [2, 10]);
    const sums = p.sum(1).tolist() as number[];
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-6);
    assert.equal(p.gradFn?.name, 'SoftmaxBackward0');
  });
});
