import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as fc from 'fast-check';
import * as torch from '../../../src/engine';
import { buildModel } from '../../../src/model/build';
import { decodeNpz } from '../../../src/bridge/npz';
import { decodeNpyDict } from '../../../src/bridge/npy-dict';
import { decodeNpyStateDict, readStateDictFile, readWeightsForModel } from '../../../src/bridge/read-weights';
import { describeMismatch, expectedParameters, matchStateDict, stripKeyPrefix } from '../../../src/bridge/statedict';
import { FIX, fixtureSpec, tmpDir } from './helpers';

const IMP = path.join(FIX, 'import');

describe('bridge: state dicts', () => {
  it('lists the parameters a model file has, in state_dict order, without building it', () => {
    assert.deepEqual(expectedParameters(fixtureSpec('tanh-logsoftmax')), [
      { key: '0.weight', shape: [16, 784] },
      { key: '0.bias', shape: [16] },
      { key: '2.weight', shape: [10, 16] },
    ]);
    const s = fixtureSpec('mlp-softmax');
    assert.deepEqual(
      expectedParameters(s).map((p) => p.key),
      [...buildModel(s).stateDict().keys()],
    );
  });

  it('matches a state dict with the same keys and shapes', () => {
    const s = fixtureSpec('mlp-softmax');
    const m = matchStateDict(s, buildModel(s).stateDict());
    assert.equal(m.ok, true);
    assert.deepEqual([m.missing, m.unexpected, m.shapeMismatches, m.dtypeMismatches], [[], [], [], []]);
    assert.deepEqual(describeMismatch(m), []);
  });

  it('lists every missing, unexpected, mis-shaped and non-float key', () => {
    const s = fixtureSpec('mlp-softmax');
    const sd = new Map<string, { shape: number[]; dtype?: string }>([
      ['W1.weight', { shape: [784, 64], dtype: 'F32' }],
      ['W1.bias', { shape: [64], dtype: 'I64' }],
      ['W2.weight', { shape: [10, 64] }],
      ['bn.num_batches_tracked', { shape: [], dtype: 'int64' }],
    ]);
    const m = matchStateDict(s, sd);
    assert.equal(m.ok, false);
    assert.deepEqual(m.missing, [{ key: 'W2.bias', shape: [10] }]);
    assert.deepEqual(m.unexpected, [{ key: 'bn.num_batches_tracked', shape: [] }]);
    assert.deepEqual(m.shapeMismatches, [{ key: 'W1.weight', expected: [64, 784], found: [784, 64], transposed: true }]);
    assert.deepEqual(m.dtypeMismatches, [{ key: 'W1.bias', dtype: 'I64' }]);
    assert.equal(m.stripPrefix, undefined);
    assert.deepEqual(describeMismatch(m), [
      'missing 1 key the model needs:',
      '  W2.bias [10]',
      '1 unexpected key the model does not have:',
      '  bn.num_batches_tracked []',
      '1 shape mismatch:',
      '  W1.weight: the model needs [64, 784], the weights hold [784, 64] (transposed: PyTorch stores a Linear weight as [out_features, in_features])',
      'not floating-point weights:',
      '  W1.bias: I64',
    ]);
  });

  it('finds the prefix DataParallel or a submodule put before every key, and strips it', () => {
    const s = fixtureSpec('mlp-softmax');
    const sd = buildModel(s).stateDict();
    for (const prefix of ['module.', 'model.net.']) {
      const wrapped = new Map([...sd].map(([k, v]) => [prefix + k, v] as const));
      const m = matchStateDict(s, wrapped);
      assert.equal(m.ok, false);
      assert.equal(m.stripPrefix, prefix);
      assert.match(describeMismatch(m).pop() ?? '', new RegExp(`every key starts with "${prefix.replace('.', '\\.')}": without it they match`));
      assert.equal(matchStateDict(s, stripKeyPrefix(wrapped, prefix)).ok, true);
    }
    // A prefix that does not make every key match is not offered.
    const partial = new Map([...sd].map(([k, v], i) => [(i ? 'module.' : 'other.') + k, v] as const));
    assert.equal(matchStateDict(s, partial).stripPrefix, undefined);
  });

  it('reads a PyTorch state dict from .safetensors, .npz (stored and deflated) and a .npy dict, all alike', () => {
    const ref = readStateDictFile(path.join(IMP, 'net.safetensors'));
    assert.deepEqual([...ref.keys()], ['W1.weight', 'W1.bias', 'W2.weight', 'W2.bias']);
    assert.deepEqual([...(ref.get('W1.weight') as torch.Tensor).shape], [32, 784]);
    for (const f of ['net.npz', 'net-compressed.npz', 'net-dict.npy']) {
      const sd = readStateDictFile(path.join(IMP, f));
      assert.deepEqual([...sd.keys()], [...ref.keys()], f);
      for (const [k, v] of ref) {
        const t = sd.get(k) as torch.Tensor;
        assert.equal(t.dtype, 'float32', `${f} ${k}`);
        assert.deepEqual(t.toArray(), v.toArray(), `${f} ${k}`);
      }
    }
  });

  it('refuses what is not a state dict, saying what to do', () => {
    assert.throws(() => readStateDictFile(path.join(IMP, 'plain.npy')), /plain\.npy: holds one array of shape \[2, 3\], not a state dict: save the weights by name with np\.savez/);
    assert.throws(() => readStateDictFile(path.join(IMP, 'torch-dict.npy')), /torch-dict\.npy: the pickle refers to torch\._utils\._rebuild_tensor_v2, which NN Lens does not load: the dict holds torch tensors/);
    assert.throws(() => readStateDictFile(path.join(IMP, 'nope.safetensors')), /nope\.safetensors: weights file not found/);
    assert.throws(() => readStateDictFile(path.join(IMP, 'net.py')), /net\.py: header length \d+ is larger than/);
    const dir = tmpDir('nnlens-sd-');
    try {
      const bad = path.join(dir, 'w.npz');
      fs.writeFileSync(bad, 'not a zip at all');
      assert.throws(() => readStateDictFile(bad), /w\.npz: not a npz file \(its first bytes are neither/);
      const cut = path.join(dir, 'cut.npz');
      fs.writeFileSync(cut, fs.readFileSync(path.join(IMP, 'net.npz')).subarray(0, 50_000));
      assert.throws(() => readStateDictFile(cut), /cut\.npz: not a \.npz \(zip\) archive: no end-of-directory record/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('readWeightsForModel gives the tensors and the match for the caller to decide', () => {
    const s = fixtureSpec('mlp-softmax');
    const r = readWeightsForModel(s, path.join(IMP, 'net.npz'));
    assert.equal(r.tensors.size, 4);
    assert.equal(r.match.ok, false);
    assert.deepEqual(r.match.shapeMismatches.map((m) => `${m.key} ${m.expected} ${m.found}`), ['W1.weight 64,784 32,784', 'W1.bias 64 32', 'W2.weight 10,64 10,32']);
  });

  it('never crashes or hangs on corrupted archives and pickles: an Error naming the file, or the arrays', () => {
    const npz = new Uint8Array(fs.readFileSync(path.join(IMP, 'net-compressed.npz')));
    const npy = new Uint8Array(fs.readFileSync(path.join(IMP, 'net-dict.npy')));
    const mutate = fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), cut: fc.boolean() });
    fc.assert(
      fc.property(mutate, fc.boolean(), ({ at, value, cut }, which) => {
        const src = which ? npz : npy;
        // Mutate near the structures that matter: the zip directory at the end, the pickle at the start.
        const i = which ? src.length - 1 - (at % 400) : 128 + (at % 600);
        const buf = cut ? src.slice(0, i) : src.slice();
        if (!cut) buf[i] = value;
        try {
          const out = which ? decodeNpz(buf, 'f.npz') : decodeNpyStateDict(buf, 'f.npy');
          for (const t of out.values()) assert.ok(t instanceof torch.Tensor);
        } catch (e) {
          assert.ok(e instanceof Error, String(e));
          assert.match(e.message, which ? /^f\.npz/ : /^f\.npy/);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
    assert.equal(decodeNpyDict(new Uint8Array(3), 'short.npy'), null);
  });
});
