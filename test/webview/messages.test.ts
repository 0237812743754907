/** The webview's message checks and stale guard (pure functions, run in Node). */
import { strict as assert } from 'node:assert';
import { validateHostMessage, Invalid } from '../../webview/validate';
import { Freshness, Requests } from '../../webview/stale';
import { formatValue, formatShape, layerLabel } from '../../webview/format';
import { buildLut, DivergingScale, divergingInterpolator } from '../../webview/components/colormap';
import { interpolateRdBu } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';
import * as torch from '../../src/engine';
import { trained } from './fixtures/trained';

describe('webview message checks', () => {
  it('accepts the real init message', () => {
    const m = trained().init();
    assert.equal(validateHostMessage(m).type, 'init');
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', 42, /^message: expected an object, got 42/],
    ['no type', { version: 1 }, /^message\.type: expected a string/],
    ['unknown type', { type: 'explode' }, /^message\.type: expected a known message type, got "explode"/],
    ['weights with a short buffer', { type: 'weights', version: 1, runId: 1, step: 3, weights: [{ name: 'W1.weight', shape: [64, 784], data: new ArrayBuffer(12) }] },
      /^weights\.weights\[0\]\.data: expected 200704 bytes, got ArrayBuffer\(12 bytes\)/],
    ['weights as a plain array', { type: 'weights', version: 1, runId: 1, step: 3, weights: [{ name: 'b', shape: [2], data: [1, 2] }] }, /weights\.weights\[0\]\.data: expected an ArrayBuffer/],
    ['negative step', { type: 'weights', version: 1, runId: 1, step: -1, weights: [] }, /^weights\.step: expected a non-negative integer, got -1/],
    ['a layer without its shapes', { type: 'model', version: 2, reinitialised: [], model: { ...trained().summary, layers: [{ index: 0, name: 'W1', type: 'Linear', params: 1 }] } },
      /^model\.model\.layers\[0\]\.inShape: expected an array/],
    ['a ragged confusion matrix', { type: 'evaluation', runId: 1, result: { accuracy: 1, loss: 0, perClass: [], count: 3, confusion: [[1, 0], [2]] } },
      /^evaluation\.result\.confusion\[1\]: expected 2 entries/],
    ['images that do not match their labels', { type: 'images', requestId: 1, labels: [1, 2], indices: [5, 6], images: new ArrayBuffer(784) }, /^images\.images: expected 1568 bytes/],
    ['a NaN probability', { type: 'prediction', requestId: 1, probs: [NaN] }, /^prediction\.probs\[0\]: expected a number/],
  ];
  for (const [what, msg, re] of bad) {
    it(`names the bad field: ${what}`, () => {
      assert.throws(() => validateHostMessage(msg), (e: unknown) => e instanceof Invalid && re.test(e.message));
    });
  }

  it('accepts typed-array views for binary fields (byteOffset respected later)', () => {
    const buf = new Float32Array([0, 1, 2, 3]);
    const m = { type: 'weights', version: 1, runId: 1, step: 0, weights: [{ name: 'W2.bias', shape: [2], data: buf.subarray(2) }] };
    assert.equal(validateHostMessage(m).type, 'weights');
  });
});

describe('webview stale guard', () => {
  it('drops weights older than what is shown, by run, then version, then step', () => {
    const f = new Freshness();
    f.reset(3, 1);
    assert.ok(f.acceptWeights({ runId: 1, version: 3, step: 10 }));
    assert.ok(!f.acceptWeights({ runId: 1, version: 3, step: 9 }), 'older step');
    assert.ok(!f.acceptWeights({ runId: 0, version: 9, step: 99 }), 'older run');
    assert.ok(f.acceptVersion(4));
    assert.ok(!f.acceptWeights({ runId: 1, version: 3, step: 50 }), 'weights of the file before the edit');
    assert.ok(f.acceptWeights({ runId: 1, version: 4, step: 0 }));
    assert.ok(f.acceptRun(2));
    assert.ok(!f.acceptWeights({ runId: 1, version: 4, step: 500 }), 'a finished run');
    assert.ok(!f.acceptVersion(3));
  });

  it('matches replies to the latest request only', () => {
    const r = new Requests();
    assert.ok(!r.isLatest(0));
    const a = r.issue();
    const b = r.issue();
    assert.ok(!r.isLatest(a));
    assert.ok(r.isLatest(b));
  });
});

describe('webview formatting and colour scale', () => {
  it('prints an element as PyTorch prints it', () => {
    for (const v of [-0.0213, 0.5, 1.23456, -3, 0, 1.5e-5, 123456789, -2.5e-7, 1e8, 99999.5]) {
      const t = torch.tensor([v], { dtype: 'float32' }).toString(); // tensor([-0.0213])
      const inner = t.slice('tensor(['.length, -2).trim();
      assert.equal(formatValue(Math.fround(v)), inner, `value ${v}`);
    }
  });

  it('formats shapes and layer labels', () => {
    assert.equal(formatShape(['B', 784]), '[B, 784]');
    assert.equal(formatShape(null), '?');
    assert.equal(layerLabel({ index: 0, name: 'W1', type: 'Linear' }), 'Linear W1');
    assert.equal(layerLabel({ index: 1, name: '1', type: 'Sigmoid' }), 'Sigmoid (1)');
  });

  it('the light table is d3 RdBu sampled at 256 points, symmetric around zero', () => {
    const lut = buildLut(divergingInterpolator('light', '#ffffff'));
    const s = new DivergingScale(lut, 0.5);
    for (const [v, i] of [[-0.5, 0], [0.5, 255], [0, 128], [-10, 0], [10, 255], [0.25, 191]] as const) {
      assert.equal(s.index(v), i, `index of ${v}`);
      const c = rgb(interpolateRdBu(i / 255));
      assert.equal(s.css(v), `rgb(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)})`);
    }
    const out = new Uint32Array(3);
    s.fill(new Float32Array([-0.5, NaN, 0.5]), out);
    assert.deepEqual([...out], [lut.packed[0], lut.packed[128], lut.packed[255]]);
    // The fast loop agrees with the scale on every value, out-of-range and non-finite ones included.
    const vals = new Float32Array([...Array.from({ length: 2001 }, (_, i) => (i - 1000) / 1000), -1e30, 1e30, Infinity, -Infinity, 1e-9, -1e-9, 0.4990196, 0.49607843]);
    const all = new Uint32Array(vals.length);
    s.fill(vals, all);
    vals.forEach((v, i) => assert.equal(all[i], lut.packed[s.index(v)], `value ${v}`));
  });

  it('the dark table fades to the background at zero', () => {
    const lut = buildLut(divergingInterpolator('dark', '#1f1f1f'));
    const mid = [...lut.rgb.slice(127 * 3, 128 * 3)];
    assert.ok(mid.every((c) => c < 48), `centre ${mid}`);
    const neg = [...lut.rgb.slice(0, 3)];
    const pos = [...lut.rgb.slice(255 * 3)];
    assert.ok(neg[0] > neg[2] + 40 && pos[2] > pos[0] + 40, `negative ${neg} red, positive ${pos} blue`);
  });
});
