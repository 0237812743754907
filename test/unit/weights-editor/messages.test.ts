/**
 * What the weight-file page may send, checked by the host before use (unknown tensors and model files it did not
 * offer are refused), random junk included; and the model files beside a weight file, matched by keys and shapes.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import * as torch from '../../../src/engine';
import { writeSafetensorsFile } from '../../../src/data/safetensors';
import { checkWeightsMessage } from '../../../src/extension/weights/messages';
import { modelFilesBeside, modelOffers, readModelText, stem } from '../../../src/extension/weights/neighbours';
import { WeightSession } from '../../../src/extension/weights/session';

const ctx = { hasTensor: (n: string) => n === 'W1.weight', offered: (u: string) => u === 'file:///m.nn.json' };

describe('weights editor: messages from the page', () => {
  it('accepts the protocol\'s messages', () => {
    assert.deepEqual(checkWeightsMessage({ type: 'ready' }, ctx), { ok: true, value: { type: 'ready' } });
    assert.deepEqual(checkWeightsMessage({ type: 'select', requestId: 3, name: 'W1.weight', index: '[0, :]', extra: 1 }, ctx), { ok: true, value: { type: 'select', requestId: 3, name: 'W1.weight', index: '[0, :]' } });
    assert.deepEqual(checkWeightsMessage({ type: 'load', uri: 'file:///m.nn.json' }, ctx), { ok: true, value: { type: 'load', uri: 'file:///m.nn.json' } });
    assert.deepEqual(checkWeightsMessage({ type: 'reopenWith' }, ctx), { ok: true, value: { type: 'reopenWith' } });
    assert.deepEqual(checkWeightsMessage({ type: 'log', level: 'warn', message: 'x'.repeat(5000) }, ctx), { ok: true, value: { type: 'log', level: 'warn', message: 'x'.repeat(2000) } });
  });

  it('refuses wrong fields, unknown tensors and model files it did not offer, naming what is wrong', () => {
    const cases: [unknown, string][] = [
      [null, 'bad weight-editor message: expected a message object, got null'],
      [{ type: 7 }, 'bad weight-editor message: "type" must be a string, got number 7'],
      [{ type: 'select', requestId: -1, name: 'W1.weight', index: '' }, 'bad weight-editor message "select": "requestId" must be a non-negative integer, got number -1'],
      [{ type: 'select', requestId: 1, name: 'W9', index: '' }, 'bad weight-editor message "select": "name": the file has no tensor "W9"'],
      [{ type: 'select', requestId: 1, name: 'W1.weight' }, 'bad weight-editor message "select": missing field "index"'],
      [{ type: 'select', requestId: 1, name: 'W1.weight', index: 'x'.repeat(201) }, 'bad weight-editor message "select": "index" is 201 characters long (at most 200)'],
      [{ type: 'load', uri: 'file:///etc/passwd' }, 'bad weight-editor message "load": "uri": "file:///etc/passwd" is not a model file offered for this weight file'],
      [{ type: 'log', level: 'debug', message: '' }, 'bad weight-editor message "log": "level" must be one of info, warn, error, got "debug"'],
      [{ type: 'train' }, 'bad weight-editor message "train": unknown message type "train"'],
      [{ type: 'select', requestId: 1, name: '__proto__', index: '' }, 'bad weight-editor message "select": "name": the file has no tensor "__proto__"'],
    ];
    for (const [m, error] of cases) assert.deepEqual(checkWeightsMessage(m, ctx), { ok: false, error });
  });

  it('random messages never throw: each is accepted or refused with a reason', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
    const msg = fc.record({ type: fc.oneof(fc.constantFrom('ready', 'select', 'load', 'reopenWith', 'log'), value), requestId: value, name: value, index: value, uri: value, level: value, message: value }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(msg, value), (m) => {
        const r = checkWeightsMessage(m, ctx);
        if (!r.ok) assert.match(r.error, /^bad weight-editor message/);
      }),
      { numRuns: 2000, seed: 791 },
    );
  });
});

describe('weights editor: model files beside a weight file', () => {
  let dir: string;
  const model = (out: number, extra = '') => `{
  "name": "m", "input": { "shape": [784] },
  "layers": [ { "name": "W1", "type": "Linear", "in": 784, "out": ${out} }, { "type": "Sigmoid" }, { "name": "W2", "type": "Linear", "out": 10 }${extra} ]
}`;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-offers-'));
    torch.manualSeed(0);
    writeSafetensorsFile(path.join(dir, 'net.safetensors'), [['W1.weight', torch.randn([16, 784])], ['W1.bias', torch.randn([16])], ['W2.weight', torch.randn([10, 16])], ['W2.bias', torch.randn([10])]]);
    fs.writeFileSync(path.join(dir, 'a-match.nn.json'), model(16));
    fs.writeFileSync(path.join(dir, 'net.nn.json'), model(32));
    fs.writeFileSync(path.join(dir, 'unrelated.nn.json'), model(16).replace(/"W1"/, '"enc"').replace(/"W2"/, '"dec"'));
    fs.writeFileSync(path.join(dir, 'broken.nn.json'), '{ "layers": [');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a model');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('offers the matching model, lists the same-named one\'s mismatches, and leaves unrelated and broken files out', async () => {
    const file = path.join(dir, 'net.safetensors');
    const s = WeightSession.open(file);
    try {
      assert.deepEqual(modelFilesBeside(file).map((f) => path.basename(f)), ['a-match.nn.json', 'broken.nn.json', 'net.nn.json', 'unrelated.nn.json']);
      const offers = modelOffers(file, s.source.entries, modelFilesBeside(file), readModelText, (f) => `file://${f}`);
      assert.deepEqual(offers, [
        { uri: `file://${path.join(dir, 'a-match.nn.json')}`, label: 'a-match.nn.json', ok: true, mismatch: [] },
        {
          uri: `file://${path.join(dir, 'net.nn.json')}`, label: 'net.nn.json', ok: false, mismatch: [
            '3 shape mismatches:',
            '  W1.weight: the model needs [32, 784], the weights hold [16, 784]',
            '  W1.bias: the model needs [32], the weights hold [16]',
            '  W2.weight: the model needs [10, 32], the weights hold [10, 16]',
          ],
        },
      ]);
      // An open editor's unsaved text counts: fixed in the editor, net.nn.json matches.
      const edited = modelOffers(file, s.source.entries, modelFilesBeside(file), (f) => (f.endsWith('net.nn.json') ? model(16) : readModelText(f)), (f) => f);
      assert.deepEqual(edited.map((o) => [o.label, o.ok]), [['a-match.nn.json', true], ['net.nn.json', true]]);
      // A broken model file named like the weights says why it cannot be checked.
      const broken = modelOffers(path.join(dir, 'broken.safetensors'), s.source.entries, [path.join(dir, 'broken.nn.json')], readModelText, (f) => f);
      assert.equal(broken.length, 1);
      assert.equal(broken[0].ok, false);
      assert.match(broken[0].mismatch[0], /^broken\.nn\.json has errors: broken\.nn\.json:1:/);
    } finally {
      await s.close();
    }
    assert.equal(stem('/x/mnist.nn.json'), 'mnist');
    assert.equal(stem('/x/mnist.safetensors'), 'mnist');
  });
});
