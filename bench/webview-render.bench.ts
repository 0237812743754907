// Time to draw one weight update in the visualizer: the 64×784 W1 heatmap (one pixel per weight, upscaled), its
// bias strip and the 64 hidden-unit 28×28 tiles, in headless Debian Chromium (software canvas, --disable-gpu),
// for the 784-64-10 model. Per update: handling the message (checks, typed arrays), the render on the animation
// frame (the app's own `nnlens:render` measure: LUT mapping + canvas calls) and the raster it leaves (forced by a
// one-pixel read of every canvas). Target: render + raster under 16 ms. A figure, not a test.
// Run: npx tsx bench/webview-render.bench.ts
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { analyzeModel } from '../src/model/analyze';
import { buildModel } from '../src/model/build';
import type { HostToWebview, TensorPayload } from '../src/protocol';
import { launchBrowser, WebviewPage } from '../test/webview/harness/browser';
import { startServer } from '../test/webview/harness/server';
import { MODEL_TEXT } from '../test/webview/fixtures/trained';
import { QUICK, writeResults, type SummaryRow } from './results';

const ROOT = path.resolve(__dirname, '..');
const WARMUP = 20;
const UPDATES = QUICK ? 50 : 200;

function quantiles(xs: number[]): { median: number; p95: number; max: number; mean: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}

function fmt(xs: number[]): string {
  const q = quantiles(xs);
  return `median ${q.median.toFixed(2)} ms, mean ${q.mean.toFixed(2)}, p95 ${q.p95.toFixed(2)}, max ${q.max.toFixed(2)}`;
}

export async function main(): Promise<void> {
  // The same bundle as dist/webview.js + .css (scripts/build.mjs, production), built here for the current sources.
  const out = path.join(ROOT, 'out', 'bench', 'webview');
  await esbuild.build({ entryPoints: [path.join(ROOT, 'webview/main.ts')], outfile: path.join(out, 'webview.js'), bundle: true, minify: true, format: 'iife', platform: 'browser', target: 'chrome120', logLevel: 'silent' });
  const analysis = analyzeModel(MODEL_TEXT);
  if (!analysis.spec) throw new Error('model has errors');
  const model = buildModel(analysis.spec);
  const weights: TensorPayload[] = model.namedParameters().map(([name, p]) => ({ name, shape: [...p.shape], data: Float32Array.from(p.toArray() as Float32Array).buffer }));
  const init: HostToWebview = {
    type: 'init', version: 1, runId: 1, model: analysis.summary, weights, samples: null, evaluation: null, selectedLayer: 0,
    training: { runId: 1, status: 'running', points: [], epochs: [], editMarkers: [] }, settings: { updatesPerSecond: 10 },
  };
  const update: HostToWebview = { type: 'weights', version: 1, runId: 1, step: 1, weights };
  const server = await startServer(out);
  const browser = await launchBrowser();
  const summary: SummaryRow[] = [];
  const figures: Record<string, unknown> = {};
  try {
    console.log(`webview render per weight update: W1 [64, 784] heatmap + bias strip + 64 tiles of 28×28, ${UPDATES} updates after ${WARMUP} warm-up`);
    console.log(`chromium ${browser.version()} headless, --disable-gpu (software canvas)`);
    for (const dpr of [1, 2]) {
      const p = await WebviewPage.open(browser, server, { dpr, width: 1000, height: 900 });
      await p.post(init);
      const tiles = await p.page.locator('.hidden-units .tile').count();
      const box = await p.contentBox('.weights .heatmap-canvas');
      await p.benchWeights(update, WARMUP);
      const r = await p.benchWeights({ ...update, step: 1000 }, UPDATES);
      const total = r.render.map((v, i) => v + r.raster[i]);
      console.log(`  devicePixelRatio ${dpr}: heatmap ${box.width}×${box.height} CSS px, ${tiles} tiles`);
      console.log(`    render + raster: ${fmt(total)}`);
      console.log(`      render (LUT + canvas calls, in requestAnimationFrame): ${fmt(r.render)}`);
      console.log(`      raster (forced readback of every canvas): ${fmt(r.raster)}`);
      console.log(`    message handling (checks + typed arrays, on arrival): ${fmt(r.handle)}`);
      const q = quantiles(total);
      figures[`dpr${dpr}`] = { renderPlusRaster: quantiles(total), render: quantiles(r.render), raster: quantiles(r.raster), handle: quantiles(r.handle) };
      summary.push({ metric: `webview heatmap frame (W1 64×784 + 64 tiles), render + raster, DPR ${dpr}`, value: `median ${q.median.toFixed(1)} ms, p95 ${q.p95.toFixed(1)} ms`, target: 'median < 16 ms', ok: q.median < 16 });
      await p.close();
    }
    writeResults('webview-render', summary, { updates: UPDATES, warmup: WARMUP, chromium: browser.version(), ...figures });
  } finally {
    await browser.close();
    await server.close();
  }
}

if (require.main === module) void main();
