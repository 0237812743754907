/** The drawing pad's MNIST preprocessing (a pure function): bounding box → 20×20, centred by centre of mass in 28×28. */
import { strict as assert } from 'node:assert';
import * as fc from 'fast-check';
import { preprocessDigit, inkBounds, centreOfMass, areaWeights, FIELD, type InkImage } from '../../webview/preprocess';

function blank(width: number, height: number): InkImage {
  return { data: new Float32Array(width * height), width, height };
}
function fillRect(img: InkImage, x0: number, y0: number, w: number, h: number, v = 1): InkImage {
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) img.data[y * img.width + x] = v;
  return img;
}
function sum(a: Float32Array): number {
  return a.reduce((s, v) => s + v, 0);
}

describe('webview preprocessDigit (MNIST-style)', () => {
  it('gives 784 zeros for a blank pad', () => {
    const out = preprocessDigit(blank(280, 280));
    assert.equal(out.length, 784);
    assert.equal(sum(out), 0);
  });

  it('scales a filled square anywhere on the pad to a 20×20 block at the centre', () => {
    const out = preprocessDigit(fillRect(blank(280, 280), 17, 150, 100, 100));
    const b = inkBounds({ data: out, width: FIELD, height: FIELD });
    assert.deepEqual(b, { x0: 4, y0: 4, x1: 24, y1: 24 });
    assert.ok(Math.abs(sum(out) - 400) < 1e-3, `mass ${sum(out)}`);
    for (let i = 0; i < out.length; i++) assert.ok(out[i] === 0 || Math.abs(out[i] - 1) < 1e-6);
  });

  it('keeps the aspect ratio: a 40×160 bar becomes 5×20', () => {
    const out = preprocessDigit(fillRect(blank(200, 200), 30, 20, 40, 160));
    const b = inkBounds({ data: out, width: FIELD, height: FIELD });
    assert.ok(b);
    assert.equal(b.x1 - b.x0, 5);
    assert.equal(b.y1 - b.y0, 20);
  });

  it('moves the centre of mass, not the box centre, to the middle of the field', () => {
    // An L: a heavy vertical bar on the left and a thin foot. Its centre of mass sits left of its box's centre.
    const img = blank(100, 100);
    fillRect(img, 10, 10, 20, 80);
    fillRect(img, 30, 70, 60, 20);
    const out = preprocessDigit(img);
    const com = centreOfMass(out, FIELD, FIELD);
    assert.ok(com);
    assert.ok(Math.abs(com.x - 14) <= 0.5 && Math.abs(com.y - 14) <= 0.5, `centre of mass ${com.x}, ${com.y}`);
    const b = inkBounds({ data: out, width: FIELD, height: FIELD });
    assert.ok(b && (b.x0 + b.x1) / 2 > 14.5, 'the box is shifted right so the heavy bar is near the centre');
  });

  it('averages areas: a 1-pixel line 10× too fine becomes a faint line, not a solid one', () => {
    const img = blank(200, 200);
    fillRect(img, 0, 0, 200, 200, 0);
    fillRect(img, 0, 0, 200, 1); // top row
    fillRect(img, 0, 199, 200, 1); // bottom row: the box is the whole pad
    const out = preprocessDigit(img);
    const max = Math.max(...out);
    assert.ok(max > 0.05 && max <= 0.11, `edge rows hold 1/10 of a pixel's ink, got ${max}`);
  });

  it('rejects data that does not match its size', () => {
    assert.throws(() => preprocessDigit({ data: new Float32Array(10), width: 4, height: 4 }), /10 values for a 4×4 image/);
  });

  it('area weights: every target cell sums to 1', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 28 }), (n, m) => {
      const w = areaWeights(n, m);
      for (let t = 0; t < m; t++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += w[t * n + i];
        if (Math.abs(s - 1) > 1e-9) return false;
      }
      return true;
    }));
  });

  it('any drawing: values in [0, 1], ink inside a 20×20 box, centre of mass within half a pixel unless clamped', () => {
    const stroke = fc.record({ x: fc.integer({ min: 0, max: 59 }), y: fc.integer({ min: 0, max: 59 }), w: fc.integer({ min: 1, max: 20 }), h: fc.integer({ min: 1, max: 20 }) });
    fc.assert(fc.property(fc.array(stroke, { minLength: 1, maxLength: 5 }), (rects) => {
      const img = blank(80, 80);
      for (const r of rects) fillRect(img, r.x, r.y, r.w, r.h);
      const out = preprocessDigit(img);
      if (out.some((v) => v < 0 || v > 1 + 1e-6)) return false;
      const b = inkBounds({ data: out, width: FIELD, height: FIELD });
      if (!b || b.x1 - b.x0 > 20 || b.y1 - b.y0 > 20) return false;
      const com = centreOfMass(out, FIELD, FIELD);
      if (!com) return false;
      const clamped = b.x0 === 0 || b.y0 === 0 || b.x1 === FIELD || b.y1 === FIELD;
      return clamped || (Math.abs(com.x - 14) <= 0.5 + 1e-9 && Math.abs(com.y - 14) <= 0.5 + 1e-9);
    }), { numRuns: 200 });
  });
});
