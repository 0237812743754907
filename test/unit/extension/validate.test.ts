import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkWebviewMessage, MAX_EXPRESSION_LENGTH } from '../../../src/extension/validate';

const limits = { layers: 4, inputSize: 784, classes: 10 };
const check = (m: unknown) => checkWebviewMessage(m, limits);
const error = (m: unknown) => {
  const r = check(m);
  assert.equal(r.ok, false, `expected ${JSON.stringify(m)} to be rejected`);
  return r.ok ? '' : r.error;
};

describe('webview message validation', () => {
  it('accepts each well-formed message as it is', () => {
    const good = [
      { type: 'ready' },
      { type: 'revealLayer', layer: 3 },
      { type: 'selectLayer', layer: 0 },
      { type: 'predict', requestId: 7, pixels: new Array(784).fill(0.5) },
      { type: 'inspect', requestId: 1, expression: 'W1.weight[:2, :3]' },
      { type: 'command', command: 'train' },
      { type: 'requestImages', requestId: 2, trueLabel: 9, predicted: 4 },
      { type: 'log', level: 'warn', message: 'hello' },
    ];
    for (const m of good) assert.deepEqual(check(m), { ok: true, value: m });
  });

  it('drops unknown extra fields', () => {
    assert.deepEqual(check({ type: 'selectLayer', layer: 1, evil: '<script>' }), { ok: true, value: { type: 'selectLayer', layer: 1 } });
  });

  it('names the field and the problem', () => {
    assert.equal(error(null), 'bad webview message: expected a message object, got null');
    assert.equal(error({ type: 'nope' }), 'bad webview message "nope": unknown message type "nope"');
    assert.equal(error({ type: 'revealLayer', layer: 4 }), 'bad webview message "revealLayer": "layer" = 4 is out of range [0, 3]');
    assert.equal(error({ type: 'selectLayer', layer: 1.5 }), 'bad webview message "selectLayer": "layer" must be an integer, got number 1.5');
    assert.equal(error({ type: 'selectLayer' }), 'bad webview message "selectLayer": missing field "layer"');
    assert.match(error({ type: 'predict', requestId: 1, pixels: [1, 2] }), /"pixels" must hold 784 values \(the model's input\), got 2/);
    const px = new Array(784).fill(0);
    px[100] = Number.NaN;
    assert.match(error({ type: 'predict', requestId: 1, pixels: px }), /"pixels\[100\]" must be a grey level in \[0, 1\], got number NaN/);
    assert.match(error({ type: 'inspect', requestId: 1, expression: 'x'.repeat(MAX_EXPRESSION_LENGTH + 1) }), /at most 500/);
    assert.match(error({ type: 'command', command: 'rm -rf' }), /"command" must be one of train, pause, resume, stop, evaluate, reset/);
    assert.match(error({ type: 'requestImages', requestId: 1, trueLabel: 10, predicted: 0 }), /"trueLabel" = 10 is out of range \[0, 9\]/);
    assert.match(error({ type: 'inspect', requestId: -1, expression: 'W1' }), /"requestId" = -1 is out of range/);
  });

  it('never throws and accepts only valid shapes, whatever arrives (fast-check, fixed seed)', () => {
    const types = fc.constantFrom('ready', 'revealLayer', 'selectLayer', 'predict', 'inspect', 'command', 'requestImages', 'log', 'other');
    const anyMsg = fc.oneof(
      fc.anything(),
      fc.record({ type: types, layer: fc.anything(), requestId: fc.anything(), expression: fc.anything(), command: fc.anything(), trueLabel: fc.anything(), predicted: fc.anything(), level: fc.anything(), message: fc.anything(), pixels: fc.anything() }, { requiredKeys: ['type'] }),
    );
    fc.assert(
      fc.property(anyMsg, (m) => {
        const r = check(m);
        if (r.ok) {
          const v = r.value as unknown as Record<string, unknown>;
          if ('layer' in v) assert.ok(Number.isInteger(v.layer) && (v.layer as number) >= 0 && (v.layer as number) < 4);
          if ('requestId' in v) assert.ok(Number.isSafeInteger(v.requestId));
        } else assert.match(r.error, /^bad webview message/);
      }),
      { seed: 4, numRuns: 2000 },
    );
  });
});
