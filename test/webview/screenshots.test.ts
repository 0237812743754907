/**
 * Screenshots of every view in the light, dark and high-contrast themes, with real data and a few interactions
 * (a hovered weight, a drawn digit with its prediction, a clicked confusion cell, an inspected tensor), saved to
 * .test-artifacts/webview/<view>-<theme>.png for people to look at.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WebviewToHost } from '../../src/protocol';
import { useBrowser } from './harness/setup';
import type { WebviewPage } from './harness/browser';
import type { ThemeName } from './page/themes';

const env = useBrowser();
const OUT = path.resolve(__dirname, '../../.test-artifacts/webview');
const VIEWS = ['architecture', 'weights', 'hidden', 'predictions', 'training', 'evaluation', 'inspector'];

function last<T extends WebviewToHost['type']>(msgs: WebviewToHost[], type: T): Extract<WebviewToHost, { type: T }> {
  const m = msgs.filter((x): x is Extract<WebviewToHost, { type: T }> => x.type === type).pop();
  assert.ok(m, `no ${type} posted`);
  return m;
}

async function interact(p: WebviewPage): Promise<void> {
  const page = p.page;
  await p.post({ type: 'cursor', version: 3, layer: 0 });
  // A drawn "3", answered with the model's softmax.
  await page.locator('.drawpad').scrollIntoViewIfNeeded();
  const pad = await p.contentBox('.drawpad');
  const pts = [[60, 40], [120, 35], [140, 60], [110, 95], [145, 125], [125, 160], [60, 160]];
  await page.mouse.move(pad.x + pts[0][0], pad.y + pts[0][1]);
  await page.mouse.down();
  for (const [x, y] of pts.slice(1)) await page.mouse.move(pad.x + x, pad.y + y, { steps: 5 });
  await page.mouse.up();
  await p.frames(3);
  const req = last(await p.posted(), 'predict');
  await p.post({ type: 'prediction', requestId: req.requestId, probs: env.fx.predict(req.pixels) });
  // The images behind the diagonal cell of class 4.
  await page.locator('.confusion .cell[data-true="4"][data-pred="4"]').click();
  const ask = last(await p.posted(), 'requestImages');
  const { images, labels } = env.fx.test;
  const idx = labels.flatMap((l, i) => (l === 4 ? [i] : [])).slice(0, 12);
  const buf = new Uint8Array(idx.length * 784);
  idx.forEach((i, k) => buf.set(images.subarray(i * 784, (i + 1) * 784), k * 784));
  await p.post({ type: 'images', requestId: ask.requestId, images: buf.buffer, labels: idx.map(() => 4), indices: idx });
  // An inspected 2-D tensor.
  const input = page.getByRole('textbox', { name: 'PyTorch expression to inspect' });
  await input.fill('W1.weight[3].view(28, 28)');
  await input.press('Enter');
  const ins = last(await p.posted(), 'inspect');
  await p.post({ type: 'inspectResult', requestId: ins.requestId, expression: ins.expression, ...env.fx.inspect(ins.expression) });
}

/** Hovers a weight, so the shot shows the tooltip and readout. */
async function hoverWeight(p: WebviewPage): Promise<void> {
  const heat = '.weights .heatmap-canvas';
  await p.page.locator(heat).scrollIntoViewIfNeeded();
  const box = await p.contentBox(heat);
  await p.page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.2);
  await p.frames(2);
}

describe('webview: screenshots of every view in three themes', function () {
  this.timeout(120_000);
  before(() => fs.mkdirSync(OUT, { recursive: true }));

  for (const theme of ['light', 'dark', 'high-contrast'] as ThemeName[]) {
    it(`${theme}: saves a screenshot of each view`, async () => {
      const p = await env.openWithInit({ theme });
      await interact(p);
      for (const v of VIEWS) {
        const file = path.join(OUT, `${v}-${theme}.png`);
        const el = p.page.locator(`#view-${v}`);
        await el.scrollIntoViewIfNeeded();
        if (v === 'weights') await hoverWeight(p);
        else await p.page.mouse.move(1, 1);
        await el.screenshot({ path: file });
        assert.ok(fs.statSync(file).size > 2000, `${file} has content`);
      }
    });
  }
});
