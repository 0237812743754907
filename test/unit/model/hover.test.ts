/** Hover and CodeLens text, the layer under the cursor, and which layers keep their weights on an edit. */
import * as assert from 'node:assert/strict';
import * as torch from '../../../src/engine';
import { buildModel } from '../../../src/model/build';
import { codeLensText, hoverMarkdown, layerAtOffset, layerAtPosition, tensorStats } from '../../../src/model/hover';
import { planRebuild, rebuildModel } from '../../../src/model/rebuild';
import { NEW_MODEL_TEMPLATE } from '../../../src/model/templates';
import { analyze, modelText } from './helpers';

const seed = analyze(NEW_MODEL_TEMPLATE);

function stateMap(m: torch.nn.Module): Map<string, Float32Array> {
  return new Map(m.namedParameters().map(([k, p]) => [k, Float32Array.from(p.toArray())]));
}

describe('model hover and CodeLens', () => {
  it('CodeLens: shapes with the batch dimension and the parameter count', () => {
    assert.deepEqual(seed.layers.map((_, i) => codeLensText(seed, i)), [
      '[B, 784] → [B, 64] · 50,240 params',
      '[B, 64] → [B, 64]',
      '[B, 64] → [B, 10] · 650 params',
      '[B, 10] → [B, 10]',
    ]);
  });

  it('CodeLens with live weight and gradient norms (torch.norm of the weight)', () => {
    assert.ok(seed.spec);
    const model = buildModel(seed.spec);
    const w = stateMap(model);
    const norm = (model.namedParameters()[0][1].norm().item() as number);
    const grads = new Map([['W1.weight', new Float32Array(64 * 784).fill(0.001)]]);
    const text = codeLensText(seed, 0, { weights: w, grads });
    assert.equal(text, `[B, 784] → [B, 64] · 50,240 params · ‖W‖ ${Number(norm.toPrecision(4))} · ‖∇W‖ ${Number(Math.sqrt(64 * 784 * 0.001 ** 2).toPrecision(4))}`);
    assert.equal(codeLensText(seed, 1, { weights: w }), '[B, 64] → [B, 64]');
  });

  it('hover on a Linear: shapes, weight and bias counts, the init bound 1/√in', () => {
    const h = hoverMarkdown(seed, 0);
    assert.ok(h.startsWith('**Linear W1** · `nn.Linear(in_features=784, out_features=64, bias=True)`'), h);
    assert.ok(h.includes('input `[B, 784]` → output `[B, 64]`'));
    assert.ok(h.includes('| `W1.weight` | `torch.Size([64, 784])` | 50,176 |'));
    assert.ok(h.includes('| `W1.bias` | `torch.Size([64])` | 64 |'));
    assert.ok(h.includes('| total | | 50,240 |'));
    assert.ok(h.includes('U(−1/√784, 1/√784) = U(−0.03571, 0.03571)'), h);
    assert.ok(!h.includes('Current weights'));
  });

  it('hover with trained weights shows their mean and std as torch computes them', () => {
    assert.ok(seed.spec);
    const model = buildModel(seed.spec);
    const w = model.namedParameters()[0][1];
    const h = hoverMarkdown(seed, 0, stateMap(model));
    const m = /`W1\.weight`: mean (\S+), std (\S+);/.exec(h);
    assert.ok(m, h);
    // 4 significant digits of torch's mean and (unbiased) std
    assert.equal(Number(m[1]), Number((w.mean().item() as number).toPrecision(4)));
    assert.equal(Number(m[2]), Number((w.std().item() as number).toPrecision(4)));
    assert.match(h, /`W1\.bias`: mean \S+, std \S+\./);
    const s = tensorStats(Float32Array.from(w.toArray()));
    assert.ok(Math.abs(s.std - (w.std().item() as number)) < 1e-6);
    assert.ok(Math.abs(s.mean - (w.mean().item() as number)) < 1e-7);
  });

  it('hover on the final Softmax explains that cross_entropy uses the logits before it', () => {
    const h = hoverMarkdown(seed, 3);
    assert.ok(h.includes('`nn.Softmax(dim=1)`'));
    assert.ok(h.includes('cross_entropy is computed on the logits *before* this Softmax'), h);
  });

  it('hover with the scaled-normal scheme, and a layer\'s problems', () => {
    const a = analyze(modelText({ extra: '"init": { "scheme": "scaled-normal" }', layers: ['{ "name": "W1", "type": "Linear", "out": 12 }'] }));
    const h = hoverMarkdown(a, 0);
    assert.ok(h.includes('weight = randn / √784 (std 0.03571), bias = 0'), h);
    assert.ok(h.includes('⛔ 10 classes expected for MNIST, got 12'), h);
    assert.equal(hoverMarkdown(a, 5), '');
  });

  it('the layer at an offset or position, for hovers and cursor highlighting', () => {
    const i = NEW_MODEL_TEMPLATE.indexOf('"Sigmoid"');
    assert.equal(layerAtOffset(seed, i)?.name, '1');
    assert.equal(layerAtOffset(seed, NEW_MODEL_TEMPLATE.indexOf('"train"')), null);
    const pos = seed.lines.positionAt(NEW_MODEL_TEMPLATE.indexOf('"W2"'));
    assert.equal(layerAtPosition(seed, pos)?.name, 'W2');
  });
});

describe('model planRebuild / rebuildModel', () => {
  const spec = (layers: string[]) => {
    const s = analyze(modelText({ layers })).spec;
    assert.ok(s);
    return s;
  };
  const before = spec(['{ "name": "W1", "type": "Linear", "out": 64 }', '{ "type": "Sigmoid" }', '{ "name": "W2", "type": "Linear", "out": 10 }']);

  it('keeps layers with the same name and shape, re-initialises the changed ones', () => {
    const after = spec(['{ "name": "W1", "type": "Linear", "out": 32 }', '{ "type": "ReLU" }', '{ "name": "W2", "type": "Linear", "out": 10 }']);
    assert.deepEqual(planRebuild(before, after), { keep: [], reinitialised: ['W1', 'W2'], removed: [], keepKeys: [] });
    const relu = spec(['{ "name": "W1", "type": "Linear", "out": 64 }', '{ "type": "ReLU" }', '{ "name": "W2", "type": "Linear", "out": 10 }']);
    assert.deepEqual(planRebuild(before, relu), { keep: ['W1', 'W2'], reinitialised: [], removed: [], keepKeys: ['W1.weight', 'W1.bias', 'W2.weight', 'W2.bias'] });
    const renamed = spec(['{ "name": "W1", "type": "Linear", "out": 64 }', '{ "type": "Sigmoid" }', '{ "name": "out", "type": "Linear", "out": 10 }']);
    assert.deepEqual(planRebuild(before, renamed), { keep: ['W1'], reinitialised: ['out'], removed: ['W2'], keepKeys: ['W1.weight', 'W1.bias'] });
    const noBias = spec(['{ "name": "W1", "type": "Linear", "out": 64 }', '{ "type": "Sigmoid" }', '{ "name": "W2", "type": "Linear", "out": 10, "bias": false }']);
    assert.deepEqual(planRebuild(before, noBias).reinitialised, ['W2']);
    assert.deepEqual(planRebuild(null, before).reinitialised, ['W1', 'W2']);
  });

  it('rebuildModel copies the kept weights and initialises the rest as buildModel does', () => {
    const old = buildModel(before);
    torch.noGrad(() => {
      for (const p of old.parameters()) p.mul_(3);
    });
    const after = spec(['{ "name": "W1", "type": "Linear", "out": 64 }', '{ "type": "ReLU" }', '{ "type": "Dropout" }', '{ "name": "W2", "type": "Linear", "out": 10 }', '{ "type": "Softmax" }']);
    const { model, plan } = rebuildModel(old, before, after);
    assert.deepEqual(plan.keep, ['W1', 'W2']);
    const o = stateMap(old);
    const n = stateMap(model);
    for (const k of ['W1.weight', 'W1.bias', 'W2.weight', 'W2.bias']) assert.deepEqual(n.get(k), o.get(k), k);
    const changed = spec(['{ "name": "W1", "type": "Linear", "out": 64 }', '{ "type": "ReLU" }', '{ "name": "W2", "type": "Linear", "out": 64 }', '{ "type": "ReLU" }', '{ "name": "W3", "type": "Linear", "out": 10 }']);
    const r2 = rebuildModel(old, before, changed);
    assert.deepEqual(r2.plan, { keep: ['W1'], reinitialised: ['W2', 'W3'], removed: [], keepKeys: ['W1.weight', 'W1.bias'] });
    const fresh = stateMap(buildModel(changed));
    const got = stateMap(r2.model);
    assert.deepEqual(got.get('W1.weight'), o.get('W1.weight'));
    assert.deepEqual(got.get('W2.weight'), fresh.get('W2.weight'));
  });

  it('a kept layer whose old tensors do not have the planned shape is re-initialised instead', () => {
    const wrongOld = buildModel(spec(['{ "name": "W1", "type": "Linear", "out": 32 }', '{ "type": "Sigmoid" }', '{ "name": "W2", "type": "Linear", "out": 10 }']));
    const { plan } = rebuildModel(wrongOld, before, before);
    assert.deepEqual(plan, { keep: [], reinitialised: ['W1', 'W2'], removed: [], keepKeys: [] });
  });
});
