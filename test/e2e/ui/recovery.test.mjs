// Failure and recovery of the visualizer while a model trains (issue 7), as a person meets them: the page is sent a
// burst of broken messages through VS Code's real webview channel, the panel is closed and reopened, and the webview
// is reloaded. Each time the view must come back with the current state (layers, weights, curves so far) and keep
// updating. (A window reload during training is in visualizer.test.mjs, after its own reload test.) Screenshots
// under .test-artifacts/e2e/<test>/.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openFile, palette, snapshot, until, visualizer, workbenchReady } from './helpers.mjs';

/** Every `NN Lens.log` this server wrote (one per extension host), newest last. */
function logFiles(workspace) {
  const found = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'NN Lens.log') found.push(p);
    }
  };
  walk(path.join(path.dirname(workspace), 'ud', 'logs'));
  return found.sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
}

/** The log of the extension host that logged `marker`. */
async function logWith(page, workspace, marker) {
  for (let i = 0; i < 100; i++) {
    const f = logFiles(workspace).find((p) => fs.readFileSync(p, 'utf8').includes(marker));
    if (f) return fs.readFileSync(f, 'utf8');
    await page.waitForTimeout(100);
  }
  throw new Error(`no NN Lens log holds "${marker}"`);
}

/** Broken messages of every WebviewToHost type, and things that are not messages at all. */
function burst() {
  const out = [];
  for (let i = 0; i < 25; i++) {
    out.push(
      { type: 'revealLayer', layer: 4 + i },
      { type: 'selectLayer', layer: -1 - i },
      { type: 'predict', requestId: i, pixels: [1, 2, 3] },
      { type: 'inspect', requestId: i, expression: 'x'.repeat(501) },
      { type: 'command', command: 'rm -rf /' },
      { type: 'requestImages', requestId: i, trueLabel: 10 + i, predicted: 0 },
      { type: 'log', level: 'panic', message: 'x' },
      { type: `ready ${i}` },
      'just a string',
      42,
      null,
      [1, 2, 3],
      {},
    );
  }
  return out;
}

export const tests = [
  [
    'the visualizer survives bad messages, closing and a webview reload during training',
    async ({ page, workspace, shotDir, log: say }) => {
      const t0 = Date.now();
      const log = (m) => say(`${m} [${((Date.now() - t0) / 1000).toFixed(1)} s]`);
      // A run that outlasts the test however fast the machine trains: 10,000 epochs of the example network, stopped
      // at the end (with the WebAssembly kernels, a run of 100 epochs could end before the test is through).
      const file = path.join(workspace, 'mnist-mlp.nn.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"epochs": 1', '"epochs": 10000'));
      await workbenchReady(page);
      await openFile(page, 'mnist-mlp.nn.json');
      await palette(page, 'NN Lens: Open Visualizer');
      let view = visualizer(page);
      await view.locator('.layer-block').nth(3).waitFor({ timeout: 60_000 });
      await palette(page, 'NN Lens: Train');
      await until(view, 'the run to start', (s) => s.state === 'running' && s.step > 0 && s.vertices >= 2);
      log('    training');

      // 1. A burst of 325 broken messages posted exactly as the page's acquireVsCodeApi().postMessage posts them.
      const outer = await (await page.locator('iframe.webview.ready').elementHandle()).contentFrame();
      const messages = burst();
      await outer.evaluate((msgs) => {
        for (const message of msgs) window.__vscode_post_message__('onmessage', { message, transfer: [] });
      }, messages);
      // Each one is logged on its own line (20 a second) or counted in a summary line a second later.
      let one = 0;
      let counted = 0;
      let all = '';
      for (let i = 0; i < 100 && one + counted < messages.length; i++) {
        all = await logWith(page, workspace, 'ignored bad webview message "revealLayer": "layer" = 4 is out of range [0, 3]');
        one = (all.match(/visualizer: ignored bad webview message/g) ?? []).length;
        counted = [...all.matchAll(/visualizer: ignored (\d+) more bad webview messages?/g)].reduce((a, m) => a + Number(m[1]), 0);
        if (one + counted < messages.length) await page.waitForTimeout(100);
      }
      assert.equal(one + counted, messages.length, `${one} logged + ${counted} counted`);
      assert.ok(all.includes('ignored bad webview message "command": "command" must be one of train, pause, resume, stop, evaluate, reset, got "rm -rf /"'));
      log(`    ${messages.length} bad messages: ${one} logged one by one, ${counted} counted; the run goes on`);
      // The panel still answers: the inspector prints, and the run keeps moving in the view.
      const input = view.locator('.inspector input.expression');
      await input.scrollIntoViewIfNeeded();
      await input.fill('W1.weight.shape');
      await input.press('Enter');
      await view.locator('.inspector .inspect-output', { hasText: 'torch.Size([64, 784])' }).waitFor({ timeout: 15_000 });
      const s1 = await snapshot(view);
      await until(view, 'progress after the burst', (s) => s.state === 'running' && s.step > s1.step);
      await page.screenshot({ path: path.join(shotDir, '1-after-burst.png') });

      // 2. Close the visualizer while the model trains, then open it again.
      log('    closing the visualizer');
      const tab = page.locator('.tabs-container .tab', { hasText: 'NN Lens: mnist-mlp.nn.json' }).first();
      await tab.locator('.codicon-close').click();
      await page.locator('iframe.webview.ready').waitFor({ state: 'detached', timeout: 15_000 });
      log('    closed');
      const closedAt = s1.step;
      await palette(page, 'NN Lens: Open Visualizer');
      view = visualizer(page);
      await view.locator('.layer-block').nth(3).waitFor({ timeout: 60_000 });
      const back = await until(view, 'the reopened view to show the run', (s) => s.state === 'running' && s.step > closedAt && s.weightsStep > closedAt);
      assert.ok(back.vertices >= s1.vertices, `the curve so far: ${back.vertices} points (had ${s1.vertices})`);
      await until(view, 'the reopened view to keep updating', (s) => s.step > back.step && s.vertices > back.vertices);
      await page.screenshot({ path: path.join(shotDir, '2-reopened.png') });
      log(`    closed at step ${closedAt}, reopened at step ${back.step} with ${back.vertices} curve points; it keeps updating`);

      // 3. Reload the webview (its page starts again, restores its saved state and asks the host for the rest).
      log('    reloading the webview');
      const beforeReload = await snapshot(view);
      await palette(page, 'Developer: Reload Webviews');
      view = visualizer(page);
      await view.locator('.layer-block').nth(3).waitFor({ timeout: 60_000 });
      const reloaded = await until(view, 'the reloaded webview to show the run', (s) => s.state === 'running' && s.step > beforeReload.step && s.vertices >= beforeReload.vertices && s.weightsStep > beforeReload.step);
      await until(view, 'the reloaded webview to keep updating', (s) => s.step > reloaded.step);
      await page.screenshot({ path: path.join(shotDir, '3-webview-reloaded.png') });
      log(`    after a webview reload: ${reloaded.status}`);

      // The view's own Stop button (a `command` message through the same inbox).
      await view.getByRole('button', { name: 'Stop' }).click();
      await until(view, 'the stop', (s) => s.state === 'cancelled');
      log('    stopped');
    },
  ],
];
