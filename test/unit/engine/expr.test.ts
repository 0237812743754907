// The tensor inspector's expressions, evaluated against the same seeded model as PyTorch evaluated them
// (scripts/make_fixtures.py): the printed text must match, and errors must be errors with PyTorch's message.
import { strict as assert } from 'node:assert';
import * as torch from '../../../src/engine';
import { fixture } from './fixtures';

const { nn } = torch;

interface ExprCase {
  expr: string;
  text?: string;
  error?: string;
  message?: string;
}

function scope(): Record<string, unknown> {
  torch.manualSeed(0);
  const model = new nn.Sequential([['W1', new nn.Linear(784, 64)], ['act', new nn.Sigmoid()], ['W2', new nn.Linear(64, 10)], ['out', new nn.Softmax(1)]]);
  const x = torch.rand(2, 784);
  const W1 = model.get('W1');
  const W2 = model.get('W2');
  const loss = nn.functional.crossEntropy(W2.call(model.get('act').call(W1.call(x))), torch.tensor([3, 7]));
  loss.backward();
  return { W1, W2, model, x };
}

/** Messages we word differently from PyTorch on purpose (ours say more). */
const OWN_WORDING: Record<string, RegExp> = {
  W3: /name 'W3' is not defined/,
  'W1.weight[': /expected .*end|unexpected end/,
  '1 +': /unexpected end/,
  'W1.weight.foo': /'Parameter' object has no attribute 'foo'/,
};

describe('tensor inspector expressions (parity with PyTorch)', () => {
  const env = scope();
  for (const c of fixture<ExprCase[]>('expressions.json')) {
    it(c.expr, () => {
      if (c.text !== undefined) {
        const r = torch.evaluateExpression(c.expr, env);
        if (c.text.includes('object at 0x')) assert.equal(r.text, c.text.replace(/ at 0x[0-9a-f]+/, ''));
        else assert.equal(r.text, c.text);
        return;
      }
      assert.throws(() => torch.evaluateExpression(c.expr, env), (e: Error) => {
        assert.equal(e.name, 'ExpressionError', `a clear ExpressionError, got ${e.name}: ${e.message}`);
        const own = OWN_WORDING[c.expr];
        if (own) assert.match(e.message, own);
        else assert.equal(e.message, c.message);
        return true;
      });
    });
  }

  it('never lets anything but an ExpressionError escape, and never hangs, on garbage', () => {
    const junk = ['', ')', '(((((', '[' .repeat(500), 'W1.' , 'W1.weight[:, :, :, :]', '1/0', '"', "'a' + 1",
      'torch.zeros(100000, 100000)', 'torch.arange(1e12)', '-'.repeat(1000) + '1', 'W1.weight[' + '0,'.repeat(300) + ']',
      'model(model)', 'W1(1)', 'len(1)', 'torch.tensor([[1], [2, 3]])', 'W1.weight.view(-1, -1)', '2 ** 2 ** 2 ** 2 ** 2 ** 99'];
    for (const j of junk) {
      try {
        torch.evaluateExpression(j, env);
      } catch (e) {
        assert.equal((e as Error).name, 'ExpressionError', `${j}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
  });
});
