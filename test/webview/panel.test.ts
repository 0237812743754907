/**
 * The panel as a whole: malformed messages, model edits, restore after reload, keyboard, pixel ratio and themes.
 * Headless Chromium, fed real messages (the real model summary, weights trained by our engine on real digits),
 * asserting on what a user sees: texts, pixel colours, bar heights, tiles and posted messages.
 */
import { strict as assert } from 'node:assert';
import { useBrowser } from './harness/setup';
import { HEAT, weightsOf, cellCentre } from './harness/helpers';

const env = useBrowser();

describe('webview: the panel (bad input, edits, restore, keyboard, pixel ratio, theme)', function () {
  this.timeout(60_000);

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
    const { data } = weightsOf(env.fx, 'W1.weight');
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
