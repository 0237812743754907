/**
 * The Architecture, Weights and Hidden-units views, and how weight updates reach them.
 * Headless Chromium, fed real messages (the real model summary, weights trained by our engine on real digits),
 * asserting on what a user sees: texts, pixel colours, bar heights, tiles and posted messages.
 */
import { strict as assert } from 'node:assert';
import type { HostToWebview } from '../../src/protocol';
import { analyzeModel } from '../../src/model/analyze';
import { MODEL_TEXT } from './fixtures/trained';
import { useBrowser, torchNumber, printed } from './harness/setup';
import { HEAT, weightsOf, maxAbs, expectedLight, cellCentre, hover } from './harness/helpers';

const env = useBrowser();

describe('webview: architecture, weight heatmap and hidden units', function () {
  this.timeout(60_000);

  it('announces ready, then shows every layer with its shapes, parameter counts and the total', async () => {
    const p = await env.open();
    assert.deepEqual(await p.posted(), [{ type: 'ready' }]);
    await p.post(env.fx.init());
    assert.deepEqual(await p.page.locator('.layer-shapes').allTextContents(), [
      '[B, 784] → Linear W1 → [B, 64]',
      '[B, 64] → Sigmoid (1) → [B, 64]',
      '[B, 64] → Linear W2 → [B, 10]',
      '[B, 10] → Softmax (3) → [B, 10]',
    ]);
    assert.deepEqual(await p.page.locator('.layer-params').allTextContents(), ['50,240 params', 'no params', '650 params', 'no params']);
    assert.equal(await p.page.locator('.total').textContent(), 'Total: 50,890 parameters');
  });

  it('highlights the layer under the editor cursor and reveals a clicked layer', async () => {
    const p = await env.openWithInit();
    await p.post({ type: 'cursor', version: 3, layer: 2 });
    assert.equal(await p.page.locator('.layer-block[aria-current="true"] .layer-shapes').textContent(), '[B, 64] → Linear W2 → [B, 10]');
    await p.clearPosted();
    await p.page.locator('.layer-block').nth(2).click();
    await p.frames(2);
    assert.deepEqual(await p.posted(), [{ type: 'revealLayer', layer: 2 }, { type: 'selectLayer', layer: 2 }]);
    assert.match((await p.page.locator('.weights .status').textContent()) ?? '', /^W2\.weight \[10, 64\] · 640 weights/);
  });

  it('shows errors on the layer they concern', async () => {
    const p = await env.openWithInit();
    const model = { ...env.fx.summary, diagnostics: [{ severity: 'error' as const, message: 'Linear W2: "out" must be a positive integer', range: env.fx.summary.layers[2].range, layer: 2 }] };
    await p.post({ type: 'model', version: 4, model, reinitialised: [] });
    assert.match((await p.page.locator('.layers > li').nth(2).locator('.diagnostic').textContent()) ?? '', /error Linear W2: "out" must be a positive integer \(line \d+\)/);
    assert.ok((await p.page.locator('.layer-block').nth(2).getAttribute('class'))?.includes('error'));
  });

  it('a model file with an error: the problem on its block, no weights, empty views, no crash', async () => {
    const p = await env.open();
    const broken = analyzeModel(MODEL_TEXT.replace('"out": 10', '"out": 0'), { uri: 'file:///work/mnist.nn.json' });
    const bad = broken.summary.diagnostics.filter((d) => d.layer !== undefined && d.severity === 'error');
    assert.ok(bad.length > 0, 'the analysis reports an error on a layer');
    await p.post({ ...env.fx.init(), model: broken.summary, weights: [], samples: null, evaluation: null,
      training: { runId: 0, status: 'idle', points: [], epochs: [], editMarkers: [] }, runId: 0 });
    const li = p.page.locator('.layers > li').nth(bad[0].layer ?? 0);
    assert.equal(await li.locator('.diagnostic.error').first().textContent(), `error ${bad[0].message} (line ${bad[0].range.start.line + 1})`);
    assert.equal(await p.page.locator('.weights .empty').textContent(), 'Waiting for W1.weight [64, 784]…');
    assert.equal(await p.page.locator('.predictions .empty').textContent(), 'No test samples yet.');
    assert.equal(await p.page.locator('.evaluation .summary').textContent(), 'Not evaluated yet.');
    assert.equal(await p.page.locator('.training .status').textContent(), 'idle');
  });

  it('draws W1.weight one pixel per weight: a known positive and a known negative weight in their colours', async () => {
    const p = await env.openWithInit();
    const { data } = weightsOf(env.fx, 'W1.weight');
    const m = maxAbs(data);
    let hi = 0;
    let lo = 0;
    data.forEach((v, i) => {
      if (v > data[hi]) hi = i;
      if (v < data[lo]) lo = i;
    });
    assert.ok(data[hi] > 0 && data[lo] < 0);
    const cssWidth = Number(await p.page.locator(HEAT).getAttribute('data-cell-width')) * 784;
    assert.equal((await p.contentBox(HEAT)).width, Math.round(cssWidth), 'the matrix fits the width');
    for (const i of [hi, lo]) {
      const at = await cellCentre(p, HEAT, Math.floor(i / 784), i % 784);
      const px = await p.pixelAt(HEAT, at.x, at.y);
      assert.deepEqual(px.slice(0, 3), expectedLight(data[i], m), `W1.weight[${Math.floor(i / 784)}, ${i % 784}] = ${data[i]}`);
    }
    const [pos, neg] = [await p.pixelAt(HEAT, ...Object.values(await cellCentre(p, HEAT, Math.floor(hi / 784), hi % 784)) as [number, number]),
      await p.pixelAt(HEAT, ...Object.values(await cellCentre(p, HEAT, Math.floor(lo / 784), lo % 784)) as [number, number])];
    assert.ok(pos[2] > pos[0] + 60, `positive is blue: ${pos}`);
    assert.ok(neg[0] > neg[2] + 60, `negative is red: ${neg}`);
    assert.match((await p.page.locator('.legend').getAttribute('aria-label')) ?? '', /^Colour scale from -0\.\d{4} \(red\) through 0 to 0\.\d{4} \(blue\)$/);
  });

  it('hover shows the value and the PyTorch expression that reaches it', async () => {
    const p = await env.openWithInit();
    await hover(p, HEAT, await cellCentre(p, HEAT, 12, 340));
    const expected = torchNumber(env.fx.inspect('W1.weight[12, 340]').text);
    assert.equal(await p.page.locator('.weights .tooltip').textContent(), `W1.weight[12, 340] = ${expected}`);
    assert.equal(await p.page.locator('.weights .heatmap-readout').textContent(), `W1.weight[12, 340] = ${expected} · row 12 (unit 12) · column 340 (pixel 12, 4)`);
  });

  it('zooms with the keyboard and pans to the cursor cell', async () => {
    const p = await env.openWithInit();
    const sx0 = Number(await p.page.locator(HEAT).getAttribute('data-cell-width'));
    await p.page.locator(HEAT).focus();
    await p.page.keyboard.press('+');
    await p.page.keyboard.press('+');
    assert.equal(Number(await p.page.locator(HEAT).getAttribute('data-cell-width')), sx0 * 4);
    for (let i = 0; i < 3; i++) await p.page.keyboard.press('Shift+ArrowRight');
    await p.page.keyboard.press('ArrowDown');
    const expected = torchNumber(env.fx.inspect('W1.weight[1, 30]').text);
    assert.equal(await p.page.locator('.weights .heatmap-readout').textContent(), `W1.weight[1, 30] = ${expected} · row 1 (unit 1) · column 30 (pixel 1, 2)`);
    await p.page.keyboard.press('0');
    assert.equal(Number(await p.page.locator(HEAT).getAttribute('data-cell-width')), sx0);
  });

  it('zooms with Ctrl+wheel around the pointer and pans by dragging', async () => {
    const p = await env.openWithInit();
    const attr = async (k: string): Promise<number> => Number(await p.page.locator(HEAT).getAttribute(k));
    const sx0 = await attr('data-cell-width');
    const box = await p.contentBox(HEAT);
    const at = { x: box.x + 300, y: box.y + 101 }; // inside a cell, off its edges
    await p.page.mouse.move(at.x, at.y);
    const before = (await p.page.locator('.weights .tooltip').textContent()) ?? '';
    await p.page.keyboard.down('Control');
    for (let i = 0; i < 4; i++) await p.page.mouse.wheel(0, -100);
    await p.page.keyboard.up('Control');
    await p.frames(2);
    assert.ok((await attr('data-cell-width')) > sx0 * 2, 'zoomed in');
    await p.page.mouse.move(at.x + 1, at.y);
    await p.page.mouse.move(at.x, at.y);
    assert.equal(await p.page.locator('.weights .tooltip').textContent(), before, 'the weight under the pointer stays under it');
    const tx = await attr('data-tx');
    await p.page.mouse.down();
    await p.page.mouse.move(at.x - 120, at.y, { steps: 4 });
    await p.page.mouse.up();
    assert.equal(await attr('data-tx'), tx - 120, 'dragged 120 px to the left');
  });

  it('draws the bias as a strip beside the heatmap', async () => {
    const p = await env.openWithInit();
    const bias = weightsOf(env.fx, 'W1.bias').data;
    const strip = '.weights .strip-canvas';
    const box = await p.contentBox(strip);
    const heat = await p.contentBox(HEAT);
    assert.equal(box.height, heat.height, 'one cell per row of the heatmap');
    const cell = box.height / 64;
    await hover(p, strip, { x: 5, y: (7 + 0.5) * cell });
    assert.equal(await p.page.locator('.weights .strip .readout').textContent(), `W1.bias[7] = ${torchNumber(env.fx.inspect('W1.bias[7]').text)}`);
    const m = maxAbs(bias);
    const px = await p.pixelAt(strip, 5, (7 + 0.5) * cell);
    assert.deepEqual(px.slice(0, 3), expectedLight(bias[7], m));
  });

  it('shows each of the 64 hidden units of W1 as a 28×28 tile coloured like the heatmap', async () => {
    const p = await env.openWithInit();
    assert.equal(await p.page.locator('.hidden-units .tile').count(), 64);
    const { data } = weightsOf(env.fx, 'W1.weight');
    const m = maxAbs(data);
    const unit = 5;
    const row = data.subarray(unit * 784, (unit + 1) * 784);
    let k = 0;
    row.forEach((v, i) => {
      if (Math.abs(v) > Math.abs(row[k])) k = i;
    });
    const tile = `.hidden-units .tile[data-unit="${unit}"]`;
    const box = await p.contentBox(tile);
    const scale = box.width / 28;
    const px = await p.pixelAt(tile, ((k % 28) + 0.5) * scale, (Math.floor(k / 28) + 0.5) * scale);
    assert.deepEqual(px.slice(0, 3), expectedLight(row[k], m), `W1.weight[${unit}].view(28, 28)[${Math.floor(k / 28)}, ${k % 28}]`);
    assert.match((await p.page.locator('.hidden-units .caption').textContent()) ?? '', /^64 units of W1: tile i is W1\.weight\[i\]\.view\(28, 28\)/);
  });

  it('ignores stale weights and draws fresh ones', async () => {
    const p = await env.openWithInit();
    const r = 3;
    const c = 400;
    const at = await cellCentre(p, HEAT, r, c);
    const trainedPx = await p.pixelAt(HEAT, at.x, at.y);
    const fresh = (step: number, runId: number, version: number, weights = env.fx.initial): HostToWebview =>
      ({ type: 'weights', version, runId, step, weights: weights.map((w) => ({ ...w, data: w.data.slice(0) })) });
    await p.post(fresh(10, 1, 3));
    const initialPx = await p.pixelAt(HEAT, at.x, at.y);
    const init = new Float32Array(env.fx.initial[0].data);
    assert.deepEqual(initialPx.slice(0, 3), expectedLight(init[r * 784 + c], maxAbs(init)), 'the newer weights are drawn');
    assert.notDeepEqual(initialPx, trainedPx);
    await p.post(fresh(5, 1, 3, env.fx.weights));
    assert.deepEqual(await p.pixelAt(HEAT, at.x, at.y), initialPx, 'an older step is ignored');
    await p.post(fresh(99, 0, 3, env.fx.weights));
    assert.deepEqual(await p.pixelAt(HEAT, at.x, at.y), initialPx, 'an older run is ignored');
    await p.post(fresh(99, 1, 2, env.fx.weights));
    assert.deepEqual(await p.pixelAt(HEAT, at.x, at.y), initialPx, 'weights of an older file version are ignored');
    await p.post({ type: 'cursor', version: 1, layer: 0 });
    assert.equal(await p.page.locator('.layer-block[aria-current="true"]').count(), 0, 'an older cursor is ignored');
    await p.post(fresh(11, 1, 3, env.fx.weights));
    assert.deepEqual(await p.pixelAt(HEAT, at.x, at.y), trainedPx, 'a newer step is drawn');
  });

  it('shows the gradient when the snapshot carries one, and a hovered value follows new data', async () => {
    const p = await env.openWithInit();
    const box = p.page.locator('.weights .grad-toggle');
    assert.equal(await box.isDisabled(), true, 'no gradient yet');
    const at = await cellCentre(p, HEAT, 12, 340);
    await hover(p, HEAT, at);
    const copy = (ws: typeof env.fx.weights): typeof env.fx.weights => ws.map((w) => ({ ...w, data: w.data.slice(0) }));
    await p.post({ type: 'weights', version: 3, runId: 1, step: 7, weights: copy(env.fx.initial), grads: copy(env.fx.grads) });
    const init = new Float32Array(env.fx.initial[0].data);
    assert.equal(await p.page.locator('.weights .tooltip').textContent(), `W1.weight[12, 340] = ${printed(init[12 * 784 + 340])}`);
    await box.check();
    await p.frames(2);
    assert.match((await p.page.locator('.weights .status').textContent()) ?? '', /^W1\.weight\.grad \[64, 784\] · 50,176 weights · step 7$/);
    const g = new Float32Array(env.fx.grads[0].data);
    let k = 0;
    g.forEach((v, i) => {
      if (Math.abs(v) > Math.abs(g[k])) k = i;
    });
    await hover(p, HEAT, await cellCentre(p, HEAT, Math.floor(k / 784), k % 784));
    assert.match((await p.page.locator('.weights .tooltip').textContent()) ?? '', new RegExp(`^W1\\.weight\\.grad\\[${Math.floor(k / 784)}, ${k % 784}\\] = -?\\d`));
  });

  it('draws weights on an animation frame: a burst of updates is drawn once, with the latest values', async () => {
    const p = await env.openWithInit();
    const at = await cellCentre(p, HEAT, 3, 400);
    const burst = [10, 11, 12, 13, 14].map((step) => ({ type: 'weights', version: 3, runId: 1, step,
      weights: (step === 14 ? env.fx.initial : env.fx.weights).map((w) => ({ ...w, data: w.data.slice(0) })) }));
    assert.equal(await p.postMany(burst), 1, 'one render for five updates');
    const init = new Float32Array(env.fx.initial[0].data);
    assert.deepEqual((await p.pixelAt(HEAT, at.x, at.y)).slice(0, 3), expectedLight(init[3 * 784 + 400], maxAbs(init)));
  });

  it('does not draw a collapsed section, and draws the latest weights when it opens', async () => {
    const p = await env.openWithInit();
    const status = p.page.locator('.weights .status');
    await p.page.getByRole('button', { name: 'Weights', exact: true }).click();
    const update = { type: 'weights', version: 3, runId: 1, step: 20, weights: env.fx.initial.map((w) => ({ ...w, data: w.data.slice(0) })) };
    await p.post(update);
    assert.match((await status.textContent()) ?? '', / · step 0$/, 'the collapsed view was not redrawn');
    await p.page.getByRole('button', { name: 'Weights', exact: true }).click();
    await p.frames(2);
    assert.match((await status.textContent()) ?? '', / · step 20$/);
    const at = await cellCentre(p, HEAT, 3, 400);
    const init = new Float32Array(env.fx.initial[0].data);
    assert.deepEqual((await p.pixelAt(HEAT, at.x, at.y)).slice(0, 3), expectedLight(init[3 * 784 + 400], maxAbs(init)));
  });
});
