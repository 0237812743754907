/**
 * The visualizer in headless Chromium, fed real messages (the real model summary, weights trained by our engine on
 * real digits), asserting on what a user sees: texts, pixel colours, bar heights, tiles and posted messages.
 */
import { strict as assert } from 'node:assert';
import { interpolateRdBu } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';
import type { HostToWebview, WebviewToHost } from '../../src/protocol';
import { analyzeModel } from '../../src/model/analyze';
import { MODEL_TEXT } from './fixtures/trained';
import { useBrowser, torchNumber, printed } from './harness/setup';
import type { WebviewPage } from './harness/browser';

const env = useBrowser();

function weightsOf(name: string): { shape: number[]; data: Float32Array } {
  const p = env.fx.weights.find((w) => w.name === name);
  assert.ok(p, name);
  return { shape: p.shape, data: new Float32Array(p.data) };
}

function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/** The colour the light theme must give v: d3's RdBu over [-m, m], sampled at 256 points. */
function expectedLight(v: number, m: number): [number, number, number] {
  const i = Math.round(((v + m) / (2 * m)) * 255);
  const c = rgb(interpolateRdBu(i / 255));
  return [Math.round(c.r), Math.round(c.g), Math.round(c.b)];
}

/** CSS position (inside the canvas) of cell (r, c) of the heatmap, from the view it reports. */
async function cellCentre(p: WebviewPage, sel: string, r: number, c: number): Promise<{ x: number; y: number }> {
  const canvas = p.page.locator(sel);
  const num = async (k: string): Promise<number> => Number(await canvas.getAttribute(k));
  const [sx, sy, tx, ty] = await Promise.all([num('data-cell-width'), num('data-cell-height'), num('data-tx'), num('data-ty')]);
  return { x: tx + (c + 0.5) * sx, y: ty + (r + 0.5) * sy };
}

async function hover(p: WebviewPage, sel: string, at: { x: number; y: number }): Promise<void> {
  await p.page.locator(sel).scrollIntoViewIfNeeded();
  const box = await p.contentBox(sel);
  await p.page.mouse.move(box.x + at.x, box.y + at.y);
  await p.frames(1);
}

function lastPosted<T extends WebviewToHost['type']>(msgs: WebviewToHost[], type: T): Extract<WebviewToHost, { type: T }> | undefined {
  return msgs.filter((m): m is Extract<WebviewToHost, { type: T }> => m.type === type).pop();
}

function argmaxOf(a: ArrayLike<number>, start: number, n: number): number {
  let b = 0;
  for (let i = 1; i < n; i++) if (a[start + i] > a[start + b]) b = i;
  return b;
}

const HEAT = '.weights .heatmap-canvas';

describe('webview: visualizer in headless Chromium', function () {
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
    const { data } = weightsOf('W1.weight');
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
    const bias = weightsOf('W1.bias').data;
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
    const { data } = weightsOf('W1.weight');
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

  it('shows a test image with its softmax as bars whose heights are the probabilities', async () => {
    const p = await env.openWithInit();
    const { probs, labels } = env.fx.test;
    const bars = p.page.locator('.predictions .sample rect.bar');
    assert.equal(await bars.count(), 10);
    const ticks = p.page.locator('.predictions .sample .y-axis .tick');
    const tickY = async (i: number): Promise<number> => Number(/translate\(0,([\d.]+)\)/.exec((await ticks.nth(i).getAttribute('transform')) ?? '')?.[1]);
    assert.deepEqual(await ticks.allTextContents(), ['0.0', '0.5', '1.0']);
    const full = (await tickY(0)) - (await tickY(2));
    for (let c = 0; c < 10; c++) {
      const h = Number(await bars.nth(c).getAttribute('height'));
      assert.ok(Math.abs(h - probs[c] * full) < 0.01, `bar ${c}: height ${h} for p=${probs[c]} on a ${full}px axis`);
    }
    assert.deepEqual(await p.page.locator('.predictions .sample text.value').allTextContents(), Array.from(probs.subarray(0, 10), (v) => v.toFixed(2)));
    const pred = argmaxOf(probs, 0, 10);
    assert.equal(await p.page.locator('.predictions .verdict').textContent(), `Predicted ${pred} (${probs[pred].toFixed(2)}) · true ${labels[0]} ${pred === labels[0] ? '✓' : '✗'}`);
    assert.equal(await p.page.locator('.predictions .position').textContent(), 'Sample 1 / 400');
  });

  it('steps through the samples and jumps to the next misclassified one', async () => {
    const p = await env.openWithInit();
    const { probs, labels } = env.fx.test;
    await p.page.getByRole('button', { name: 'Next sample' }).click();
    await p.page.getByRole('button', { name: 'Next sample' }).click();
    assert.equal(await p.page.locator('.predictions .position').textContent(), 'Sample 3 / 400');
    let wrong = -1;
    for (let i = 3; i < labels.length && wrong < 0; i++) if (argmaxOf(probs, i * 10, 10) !== labels[i]) wrong = i;
    assert.ok(wrong > 0, 'the fixture model makes mistakes');
    await p.page.getByRole('button', { name: 'Next misclassified' }).click();
    assert.equal(await p.page.locator('.predictions .position').textContent(), `Sample ${wrong + 1} / 400`);
    const pred = argmaxOf(probs, wrong * 10, 10);
    assert.equal(await p.page.locator('.predictions .verdict').textContent(), `Predicted ${pred} (${probs[wrong * 10 + pred].toFixed(2)}) · true ${labels[wrong]} ✗`);
    await p.page.getByRole('button', { name: 'Previous sample' }).click();
    assert.equal(await p.page.locator('.predictions .position').textContent(), `Sample ${wrong} / 400`);
  });

  it('drawing pad: sends the drawing preprocessed like MNIST and shows the softmax of the latest reply', async () => {
    const p = await env.openWithInit();
    const pad = '.drawpad';
    await p.page.locator(pad).scrollIntoViewIfNeeded();
    const box = await p.contentBox(pad);
    // A "7": a bar across the top and a stroke down to the bottom left.
    const pts = [[50, 40], [150, 40], [140, 70], [120, 110], [100, 160]];
    await p.page.mouse.move(box.x + pts[0][0], box.y + pts[0][1]);
    await p.page.mouse.down();
    for (const [x, y] of pts.slice(1)) await p.page.mouse.move(box.x + x, box.y + y, { steps: 6 });
    await p.page.mouse.up();
    await p.frames(3);
    const req = lastPosted(await p.posted(), 'predict');
    assert.ok(req, 'a predict request');
    assert.equal(req.pixels.length, 784);
    let y0 = 28;
    let y1 = -1;
    let x0 = 28;
    let x1 = -1;
    let mass = 0;
    let mx = 0;
    let my = 0;
    req.pixels.forEach((v, i) => {
      assert.ok(v >= 0 && v <= 1);
      if (v <= 0) return;
      const x = i % 28;
      const y = Math.floor(i / 28);
      [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    });
    assert.equal(Math.max(x1 - x0 + 1, y1 - y0 + 1), 20, 'the longer side of the ink is 20 pixels');
    assert.ok(Math.abs(mx / mass - 14) <= 0.5 && Math.abs(my / mass - 14) <= 0.5, `centre of mass ${mx / mass}, ${my / mass}`);
    // The host answers with the model's softmax for those pixels.
    const probs = env.fx.predict(req.pixels);
    await p.post({ type: 'prediction', requestId: req.requestId, probs });
    const heights = await p.page.locator('.drawpad-panel rect.bar').evaluateAll((els) => els.map((e) => Number(e.getAttribute('height'))));
    const k = argmaxOf(probs, 0, 10);
    heights.forEach((h, c) => assert.ok(Math.abs(h / heights[k] - probs[c] / probs[k]) < 1e-3, `bar ${c}`));
    assert.equal(await p.page.locator('.drawpad-panel .result').textContent(), `Predicted ${k} (${probs[k].toFixed(2)})`);
    // A reply to an older request arrives late: ignored.
    await p.post({ type: 'prediction', requestId: req.requestId - 1, probs: probs.map((_, c) => (c === (k + 1) % 10 ? 1 : 0)) });
    assert.equal(await p.page.locator('.drawpad-panel .result').textContent(), `Predicted ${k} (${probs[k].toFixed(2)})`);
    await p.page.getByRole('button', { name: 'Clear the drawing pad' }).click();
    assert.equal(await p.page.locator('.drawpad-panel .result').textContent(), 'Draw a digit.');
    assert.equal(await p.page.locator('.drawpad-panel rect.bar').count(), 0);
    assert.deepEqual(await p.pixelAt('.digit.preview', 40, 40), [0, 0, 0, 255], 'the network input is cleared too');
  });

  it('training: curves, status, edit markers, live updates and controls', async () => {
    const p = await env.openWithInit();
    const t = env.fx.training;
    const status = p.page.locator('.training .status');
    assert.match((await status.textContent()) ?? '', /^done · epoch 1 · step 300 \(300\/300 in epoch\) · 5,000 samples\/s · loss \d\.\d{4} · accuracy \d+\.\d% · test accuracy \d+\.\d%$/);
    const d = (await p.page.locator('.training .chart path.series.train').first().getAttribute('d')) ?? '';
    assert.equal(d.split('L').length, t.points.length, 'one vertex per progress point');
    assert.equal(await p.page.locator('.training .chart g.dots.test circle').count(), 2, 'one test point per epoch, on both charts');
    assert.deepEqual(await p.page.locator('.training .chart g.marker title').allTextContents(), ['model file edited at step 140 (version 2)', 'model file edited at step 140 (version 2)']);
    // A new run streams in.
    const live: HostToWebview = { type: 'training', runId: 2, training: { runId: 2, status: 'running', points: t.points.slice(0, 3), epochs: [], editMarkers: [] } };
    await p.post(live);
    assert.match((await status.textContent()) ?? '', /^running · epoch 1 · step 60 /);
    assert.equal(await p.page.getByRole('button', { name: 'Train', exact: true }).isDisabled(), true);
    await p.clearPosted();
    await p.page.getByRole('button', { name: 'Pause' }).click();
    assert.deepEqual(await p.posted(), [{ type: 'command', command: 'pause' }]);
    // The previous run's last update arrives late: ignored.
    await p.post({ type: 'training', runId: 1, training: t });
    assert.match((await status.textContent()) ?? '', /^running /);
  });

  it('evaluation: the confusion matrix, and the images of a clicked cell', async () => {
    const p = await env.openWithInit();
    const ev = env.fx.evaluation;
    assert.equal(await p.page.locator('.evaluation .summary').textContent(), `Accuracy ${(ev.accuracy * 100).toFixed(1)}% on 400 test images · loss ${ev.loss.toFixed(4)}`);
    const cells = await p.page.locator('.confusion .cell').allTextContents();
    assert.deepEqual(cells.map(Number), ev.confusion.flat());
    // The most frequent mistake.
    let best = { t: 0, p: 1 };
    ev.confusion.forEach((row, i) => row.forEach((n, j) => {
      if (i !== j && n > ev.confusion[best.t][best.p]) best = { t: i, p: j };
    }));
    await p.clearPosted();
    await p.page.locator(`.confusion .cell[data-true="${best.t}"][data-pred="${best.p}"]`).click();
    const req = lastPosted(await p.posted(), 'requestImages');
    assert.ok(req);
    assert.deepEqual({ t: req.trueLabel, p: req.predicted }, best);
    const { images, labels, probs } = env.fx.test;
    const idx = labels.flatMap((l, i) => (l === best.t && argmaxOf(probs, i * 10, 10) === best.p ? [i] : []));
    const buf = new Uint8Array(idx.length * 784);
    idx.forEach((i, k) => buf.set(images.subarray(i * 784, (i + 1) * 784), k * 784));
    await p.post({ type: 'images', requestId: req.requestId, images: buf.buffer, labels: idx.map(() => best.t), indices: idx });
    assert.equal(await p.page.locator('.gallery figure.thumb').count(), ev.confusion[best.t][best.p]);
    assert.equal(await p.page.locator('.gallery-title').textContent(), `${idx.length} image${idx.length === 1 ? '' : 's'} of ${best.t} predicted as ${best.p}`);
  });

  it('tensor inspector: PyTorch print and a heatmap for a 2-D result', async () => {
    const p = await env.openWithInit();
    const input = p.page.getByRole('textbox', { name: 'PyTorch expression to inspect' });
    await input.fill('W1.weight[:2, :3]');
    await p.clearPosted();
    await input.press('Enter');
    const req = lastPosted(await p.posted(), 'inspect');
    assert.ok(req);
    assert.equal(req.expression, 'W1.weight[:2, :3]');
    const r = env.fx.inspect(req.expression);
    await p.post({ type: 'inspectResult', requestId: req.requestId, expression: req.expression, ...r });
    assert.equal(await p.page.locator('.inspect-output').textContent(), r.text);
    assert.match(r.text, /^tensor\(\[\[.*\]\], grad_fn=<SliceBackward0>\)$/s);
    const sel = '.inspector .heatmap-canvas';
    assert.equal(await p.page.locator(sel).isVisible(), true);
    assert.equal(await p.page.locator(sel).getAttribute('aria-label'), `Inspector heatmap: W1.weight[:2, :3], 2×3, colour range ±${printed(maxAbs(new Float32Array(r.tensor?.data ?? new ArrayBuffer(0))))}`);
    await hover(p, sel, await cellCentre(p, sel, 1, 2));
    assert.equal(await p.page.locator('.inspector .tooltip').textContent(), `W1.weight[:2, :3][1, 2] = ${torchNumber(env.fx.inspect('W1.weight[1, 2]').text)}`);
  });

  it('tensor inspector: shapes, errors, and late replies', async () => {
    const p = await env.openWithInit();
    await p.page.getByRole('button', { name: 'W1.weight.shape' }).click();
    const first = lastPosted(await p.posted(), 'inspect');
    assert.ok(first);
    await p.post({ type: 'inspectResult', requestId: first.requestId, expression: first.expression, ...env.fx.inspect(first.expression) });
    assert.equal(await p.page.locator('.inspect-output').textContent(), 'torch.Size([64, 784])');
    assert.equal(await p.page.locator('.inspector .heatmap').isVisible(), false);
    const input = p.page.getByRole('textbox', { name: 'PyTorch expression to inspect' });
    await input.fill('W3.weight');
    await input.press('Enter');
    const second = lastPosted(await p.posted(), 'inspect');
    assert.ok(second && second.requestId > first.requestId);
    // The reply to the first request comes again, late: ignored.
    await p.post({ type: 'inspectResult', requestId: first.requestId, expression: first.expression, text: 'stale' });
    assert.equal(await p.page.locator('.inspect-output').textContent(), 'Evaluating W3.weight…');
    await p.post({ type: 'inspectResult', requestId: second.requestId, expression: 'W3.weight', text: '', error: "NameError: name 'W3' is not defined" });
    assert.equal(await p.page.locator('.inspect-output').textContent(), "W3.weight\nNameError: name 'W3' is not defined");
    assert.match((await p.page.locator('.inspect-output').getAttribute('class')) ?? '', /error/);
    // History: ArrowUp brings back the previous expressions.
    await input.fill('');
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'W3.weight');
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'W1.weight.shape');
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

  it('reports malformed messages with a log message and keeps working', async () => {
    const p = await env.openWithInit();
    await p.clearPosted();
    const bad: unknown[] = [
      42,
      null,
      { type: 'nope' },
      { type: 'weights', version: 3, runId: 1, step: 20, weights: [{ name: 'W1.weight', shape: [64, 784], data: new ArrayBuffer(16) }] },
      { type: 'model', version: 9, model: { name: 'x' }, reinitialised: [] },
      { type: 'samples', version: 3, runId: 1, step: 1, samples: { images: new ArrayBuffer(10), labels: [1], probs: new ArrayBuffer(40) } },
    ];
    for (const m of bad) await p.post(m);
    const logs = (await p.posted()).filter((m) => m.type === 'log');
    assert.equal(logs.length, bad.length);
    assert.ok(logs.every((l) => l.type === 'log' && l.level === 'warn' && l.message.startsWith('ignored malformed message: ')));
    assert.match(logs[3].type === 'log' ? logs[3].message : '', /weights\.weights\[0\]\.data: expected 200704 bytes, got ArrayBuffer\(16 bytes\)/);
    // Nothing was half-applied, and the page still answers.
    assert.equal(await p.page.locator('.layer-shapes').count(), 4);
    await p.post({ type: 'cursor', version: 3, layer: 0 });
    assert.equal(await p.page.locator('.layer-block[aria-current="true"] .layer-shapes').textContent(), '[B, 784] → Linear W1 → [B, 64]');
  });

  it('follows an edit of the model file: new shapes, waits for the new weights, then draws them', async () => {
    const p = await env.openWithInit();
    const s = env.fx.summary;
    const w1 = { ...s.layers[0], outShape: ['B', 32] as ('B' | number)[], params: 784 * 32 + 32, weightShape: [32, 784] as [number, number] };
    const w2 = { ...s.layers[2], inShape: ['B', 32] as ('B' | number)[], params: 330, weightShape: [10, 32] as [number, number] };
    const model = { ...s, layers: [w1, { ...s.layers[1], inShape: ['B', 32], outShape: ['B', 32] } as typeof w1, w2, s.layers[3]], totalParams: 784 * 32 + 32 + 330 };
    await p.post({ type: 'model', version: 4, model, reinitialised: ['W1', 'W2'] });
    assert.equal(await p.page.locator('.layer-shapes').first().textContent(), '[B, 784] → Linear W1 → [B, 32]');
    assert.equal(await p.page.locator('.weights .empty').textContent(), 'Waiting for W1.weight [32, 784]…');
    const small = env.fx.initial.map((w) => {
      const a = new Float32Array(w.data);
      if (w.name === 'W1.weight') return { ...w, shape: [32, 784], data: a.slice(0, 32 * 784).buffer };
      if (w.name === 'W1.bias') return { ...w, shape: [32], data: a.slice(0, 32).buffer };
      if (w.name === 'W2.weight') return { ...w, shape: [10, 32], data: Float32Array.from({ length: 320 }, (_, i) => a[Math.floor(i / 32) * 64 + (i % 32)]).buffer };
      return { ...w, data: a.slice().buffer };
    });
    await p.post({ type: 'weights', version: 4, runId: 1, step: 0, weights: small });
    assert.equal(await p.page.locator('.weights .empty').isVisible(), false);
    assert.equal(await p.page.locator('.hidden-units .tile').count(), 32);
  });

  it('comes back as it was after a reload (state kept with setState)', async () => {
    const p = await env.openWithInit();
    await p.page.getByRole('button', { name: 'Evaluation' }).click();
    await p.page.getByRole('button', { name: 'Next sample' }).click();
    await p.page.getByRole('button', { name: 'Next sample' }).click();
    await p.page.getByRole('textbox', { name: 'PyTorch expression to inspect' }).fill('W2.bias');
    await p.page.waitForTimeout(120);
    await p.page.reload();
    await p.page.locator('main.nnlens').waitFor({ state: 'attached' });
    // Before the host replays anything, the last model is drawn from the saved state.
    assert.equal(await p.page.locator('.layer-shapes').count(), 4);
    assert.equal(await p.page.getByRole('button', { name: 'Evaluation' }).getAttribute('aria-expanded'), 'false');
    assert.equal(await p.page.locator('#view-evaluation-body').isVisible(), false);
    assert.equal(await p.page.getByRole('textbox', { name: 'PyTorch expression to inspect' }).inputValue(), 'W2.bias');
    await p.post(env.fx.init());
    assert.equal(await p.page.locator('.predictions .position').textContent(), 'Sample 3 / 400');
  });

  it('is keyboard reachable: Tab to a section header, Enter collapses it', async () => {
    const p = await env.openWithInit();
    await p.page.keyboard.press('Tab');
    const focused = p.page.locator(':focus');
    assert.equal(await focused.textContent(), 'Architecture');
    await p.page.keyboard.press('Enter');
    assert.equal(await focused.getAttribute('aria-expanded'), 'false');
    assert.equal(await p.page.locator('#view-architecture-body').isVisible(), false);
    await p.page.keyboard.press('Enter');
    assert.equal(await p.page.locator('#view-architecture-body').isVisible(), true);
    const named = await p.page.locator('canvas[tabindex="0"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    assert.ok(named.length >= 2 && named.every((n) => n.length > 0), 'every focusable canvas is labelled');
  });

  it('sizes canvases for devicePixelRatio', async () => {
    const p = await env.openWithInit({ dpr: 2 });
    const size = await p.page.locator(HEAT).evaluate((e) => [(e as unknown as { width: number }).width, (e as unknown as { height: number }).height]);
    const box = await p.contentBox(HEAT);
    assert.deepEqual(size, [box.width * 2, box.height * 2]);
  });

  it('re-sizes canvases when devicePixelRatio changes (panel moved to another screen)', async () => {
    const p = await env.openWithInit({ dpr: 1, width: 1000, height: 900 });
    const size = (): Promise<number[]> => p.page.locator(HEAT).evaluate((e) => [(e as unknown as { width: number }).width, (e as unknown as { height: number }).height]);
    const box = await p.contentBox(HEAT);
    assert.deepEqual(await size(), [box.width, box.height]);
    const cdp = await p.page.context().newCDPSession(p.page);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1000, height: 900, deviceScaleFactor: 2, mobile: false });
    // (Emulation does not fire the resolution media query; the next weight update notices the new ratio.)
    await p.post({ type: 'weights', version: 3, runId: 1, step: 5, weights: env.fx.weights.map((w) => ({ ...w, data: w.data.slice(0) })) });
    assert.deepEqual(await size(), [box.width * 2, box.height * 2]);
    assert.equal((await p.contentBox(HEAT)).width, box.width, 'same CSS size');
    await cdp.detach();
  });

  it('follows the theme: dark colours, zero fades into the background, repainted on a theme switch', async () => {
    const p = await env.openWithInit({ theme: 'dark' });
    const { data } = weightsOf('W1.weight');
    let hi = 0;
    let zero = 0;
    data.forEach((v, i) => {
      if (v > data[hi]) hi = i;
      if (Math.abs(v) < Math.abs(data[zero])) zero = i;
    });
    const px = async (i: number): Promise<number[]> => {
      const at = await cellCentre(p, HEAT, Math.floor(i / 784), i % 784);
      return (await p.pixelAt(HEAT, at.x, at.y)).slice(0, 3);
    };
    const pos = await px(hi);
    const mid = await px(zero);
    assert.ok(pos[2] > 200 && pos[2] > pos[0] + 40, `strongest positive is bright blue: ${pos}`);
    assert.ok(mid.every((c) => Math.abs(c - 0x1f) <= 8), `a near-zero weight is the dark background: ${mid}`);
    await p.setTheme('light');
    const light = await px(zero);
    assert.ok(light.every((c) => c > 230), `after switching to light, near-zero is near white: ${light}`);
  });
});
