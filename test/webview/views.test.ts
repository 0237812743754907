/**
 * The Predictions (with the drawing pad), Training, Evaluation and Tensor-inspector views.
 * Headless Chromium, fed real messages (the real model summary, weights trained by our engine on real digits),
 * asserting on what a user sees: texts, pixel colours, bar heights, tiles and posted messages.
 */
import { strict as assert } from 'node:assert';
import type { HostToWebview, ProgressPoint } from '../../src/protocol';
import { useBrowser, torchNumber, printed } from './harness/setup';
import { maxAbs, cellCentre, hover, lastPosted, argmaxOf } from './harness/helpers';

const env = useBrowser();

describe('webview: predictions, drawing pad, training, evaluation and inspector', function () {
  this.timeout(60_000);

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

  it('training status: the 1-based epoch of the trainer and the step within it', async () => {
    const p = await env.openWithInit();
    const status = p.page.locator('.training .status');
    const show = async (points: Partial<ProgressPoint>[], runId: number): Promise<string> => {
      const full = points.map((q) => ({ epoch: 1, step: 1, stepsPerEpoch: 800, loss: 2.3, accuracy: 0.1, samplesPerSec: 1000, time: 1, ...q }));
      await p.post({ type: 'training', runId, training: { runId, status: 'running', points: full, epochs: [], editMarkers: [] } });
      return (await status.textContent()) ?? '';
    };
    // The first progress of a run (the defect: "epoch 2 · step 2 (0/800 in epoch)").
    assert.match(await show([{ epoch: 1, step: 2 }], 3), /^running · epoch 1 · step 2 \(2\/800 in epoch\) · /);
    assert.match(await show([{ epoch: 1, step: 566 }], 4), /^running · epoch 1 · step 566 \(566\/800 in epoch\) · /);
    assert.match(await show([{ epoch: 1, step: 800 }], 5), /^running · epoch 1 · step 800 \(800\/800 in epoch\) · /);
    assert.match(await show([{ epoch: 2, step: 801 }], 6), /^running · epoch 2 · step 801 \(1\/800 in epoch\) · /);
    // After an edit of the model file the worker restarts: its epochs begin at the edit (step 500 here).
    assert.match(await show([{ epoch: 1, step: 510, stepInEpoch: 10 }], 7), /^running · epoch 1 · step 510 \(10\/800 in epoch\) · /);
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
});
