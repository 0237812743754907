// The visualizer end to end, as a person uses it (issue 5): open the example model, run "NN Lens: Open Visualizer"
// from the command palette, see the layers, edit `"out": 64` to 32 and see the view follow, train and see the
// curves move. Screenshots are kept under .test-artifacts/e2e/<test>/.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openFile, palette, replaceInEditor, snapshot, until, visualizer } from './helpers.mjs';

export const tests = [
  [
    'visualizer follows the model file and shows training',
    async ({ page, shotDir, log }) => {
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
      await openFile(page, 'mnist-mlp.nn.json');
      await palette(page, 'NN Lens: Open Visualizer');

      const view = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      const blocks = view.locator('.layer-block');
      await blocks.nth(3).waitFor({ timeout: 60_000 });
      assert.equal(await blocks.count(), 4, 'four layers: W1, Sigmoid, W2, Softmax');
      const first = await blocks.nth(0).innerText();
      assert.match(first, /\[B, 784\]/);
      assert.match(first, /\[B, 64\]/);
      assert.match(first, /50,240 params/);
      assert.match(await blocks.nth(2).innerText(), /\[B, 64\][\s\S]*\[B, 10\]/);
      await page.screenshot({ path: path.join(shotDir, '1-visualizer-open.png') });
      log('    the visualizer shows the four layers');

      // Edit the file as a user: "out": 64 → 32 (W2's "in" is inferred, so the model stays valid).
      await replaceInEditor(page, '"out": 64', '"out": 32');
      await view.locator('.layer-block', { hasText: '[B, 32]' }).first().waitFor({ timeout: 15_000 });
      assert.match(await blocks.nth(0).innerText(), /25,120 params/);
      assert.match(await blocks.nth(2).innerText(), /\[B, 32\][\s\S]*\[B, 10\]/);
      await page.screenshot({ path: path.join(shotDir, '2-after-edit.png') });
      log('    the view followed the edit to 32 hidden units');

      // Train from the palette and watch the curves move. 10,000 epochs: the run is still going when the test
      // stops it, however fast the machine trains (a run of 100 epochs could end first with the WebAssembly kernels).
      await replaceInEditor(page, '"epochs": 1', '"epochs": 10000');
      await palette(page, 'NN Lens: Train');
      const status = view.locator('.training .status');
      await status.filter({ hasText: /step [1-9]/ }).waitFor({ timeout: 60_000 });
      const lossPath = view.locator('.training path.series.train').first();
      await lossPath.waitFor({ state: 'attached', timeout: 30_000 });
      const before = await snapshot(view);
      assert.equal(before.state, 'running', before.status);
      assert.match(before.status, /^running · epoch \d+ · step [\d,]+/);
      // The next updates, as they arrive: the loss curve and the status line both move while the run goes on.
      const moved = await until(view, 'the loss curve and the status line to move', (s) => s.state === 'running' && s.d !== before.d && s.status !== before.status && s.step > before.step, 30_000);
      await page.screenshot({ path: path.join(shotDir, '3-training.png') });
      assert.ok(before.d && moved.d && moved.d !== before.d, 'the loss curve moves');
      assert.notEqual(moved.status, before.status, 'the status line moves');
      log(`    training: "${moved.status}"`);
      // The status bar item shows the run as well.
      const item = page.locator('.statusbar-item', { hasText: 'NN Lens' }).first();
      assert.match(await item.innerText(), /NN Lens/);
      await palette(page, 'NN Lens: Stop', path.join(shotDir, 'debug-stop.png'));
      await until(view, 'the stop', (s) => s.state === 'cancelled', 30_000);
      await page.screenshot({ path: path.join(shotDir, '4-stopped.png') });
    },
  ],
  [
    'a shape mismatch is underlined and its quick fix repairs it',
    async ({ page, workspace, shotDir, log }) => {
      const text = fs.readFileSync(path.join(workspace, 'mnist-mlp.nn.json'), 'utf8').replace('{ "name": "W2", "type": "Linear", "out": 10 }', '{ "name": "W2", "type": "Linear", "in": 32, "out": 10 }');
      assert.match(text, /"in": 32/);
      fs.writeFileSync(path.join(workspace, 'broken.nn.json'), text);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
      await openFile(page, 'broken.nn.json');
      const squiggle = page.locator('.monaco-editor .squiggly-error').first();
      await squiggle.waitFor({ timeout: 30_000 });
      // The Problems panel names the mismatch in PyTorch's terms.
      await palette(page, 'View: Focus Problems');
      const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'Linear W2 expects 32 input features but receives 64 from W1' }).first();
      await problem.waitFor({ timeout: 15_000 });
      await page.screenshot({ path: path.join(shotDir, '1-diagnostic.png') });
      // Put the cursor on the wrong value and apply the quick fix (Ctrl+.).
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+F');
      await page.locator('.find-widget .find-part textarea, .find-widget .find-part input').first().fill('"in": 32');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+.');
      const fix = page.locator('.action-widget .monaco-list-row, .context-view .monaco-list-row', { hasText: /in/ }).first();
      await fix.waitFor({ timeout: 15_000 });
      await page.screenshot({ path: path.join(shotDir, '2-quick-fix.png') });
      await page.keyboard.press('Enter');
      await squiggle.waitFor({ state: 'detached', timeout: 15_000 });
      const line = (await page.locator('.monaco-editor .view-line', { hasText: 'W2' }).first().innerText()).replace(/\u00a0/g, ' ');
      assert.match(line, /"in": 64/, `the fix set in to 64: ${line}`);
      log('    the quick fix set W2\'s in to 64');
    },
  ],
  [
    'the visualizer follows the cursor, reveals layers, answers the inspector and comes back with the run after a window reload during training',
    async ({ page, workspace, shotDir, log }) => {
      // Long enough to be running when the window reloads on any machine (10,000 epochs; the test stops the run it
      // starts after the reload). The inspector and the pad see the init weights first.
      const file = path.join(workspace, 'mnist-mlp.nn.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"epochs": 1', '"epochs": 10000'));
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
      await openFile(page, 'mnist-mlp.nn.json');
      await palette(page, 'NN Lens: Open Visualizer');
      const view = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      const blocks = view.locator('.layer-block');
      await blocks.nth(3).waitFor({ timeout: 60_000 });

      // The cursor on W2's line highlights W2's block.
      await page.locator('.monaco-editor .view-line span span', { hasText: '"W2"' }).first().click();
      await view.locator('.layer-block[aria-current="true"]', { hasText: 'Linear W2' }).waitFor({ timeout: 15_000 });
      log('    the cursor on W2 highlights its block');

      // Clicking W1's block selects its text in the editor.
      await blocks.nth(0).click();
      await page.locator('.monaco-editor .selected-text').first().waitFor({ timeout: 15_000 });
      // The status bar shows the selection a moment after the editor does: wait for it rather than read it once.
      const selection = page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first();
      await page.locator('.statusbar-item', { hasText: /Ln 12, Col \d+ \(\d+ selected\)/ }).first().waitFor({ timeout: 15_000 }).catch(async () => {
        assert.fail(`W1 (line 12) is selected: ${await selection.innerText().catch(() => 'no Ln/Col item')}`);
      });
      const status = await selection.innerText();
      log(`    clicking W1 selects it in the editor (${status})`);

      // The tensor inspector prints what PyTorch prints.
      const input = view.locator('.inspector input.expression');
      await input.scrollIntoViewIfNeeded();
      await input.fill('W1.weight[:2, :3]');
      await input.press('Enter');
      const out = view.locator('.inspector .inspect-output');
      await out.filter({ hasText: 'tensor(' }).waitFor({ timeout: 15_000 });
      const printed = await out.innerText();
      assert.ok(printed.includes('tensor([[-0.0003,  0.0192, -0.0294],\n        [-0.0198, -0.0150, -0.0104]], grad_fn=<SliceBackward0>)'), printed);
      await page.screenshot({ path: path.join(shotDir, '1-inspector.png') });
      log('    the inspector printed W1.weight[:2, :3] as PyTorch does');

      // The Predictions view got test digits from the host.
      await view.getByText('No test samples yet').waitFor({ state: 'hidden', timeout: 15_000 });

      // Draw a "1" on the pad: the host answers `predict` and the bars show the softmax.
      const pad = view.locator('canvas.drawpad');
      await pad.scrollIntoViewIfNeeded();
      const box = await pad.boundingBox();
      assert.ok(box, 'the drawing pad is on screen');
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
      await page.mouse.down();
      for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.2 + 0.06 * i));
      await page.mouse.up();
      const result = view.locator('.drawpad-panel .result');
      await result.filter({ hasText: /Predicted \d \(\d\.\d\d\)/ }).waitFor({ timeout: 15_000 });
      log(`    the drawing pad got the host's prediction: ${await result.innerText()}`);
      await page.screenshot({ path: path.join(shotDir, '2-drawing.png') });

      // Reload the window while the model trains. The extension host restarts (the run ends with it); the new one
      // restores the panel through its serializer, and the run's state from the checkpoint taken at shutdown.
      await palette(page, 'NN Lens: Train');
      await until(view, 'the run to start', (s) => s.state === 'running' && s.step > 0 && s.vertices >= 2);
      const before = await snapshot(view);
      await palette(page, 'Developer: Reload Window');
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      const restored = visualizer(page);
      await restored.locator('.layer-block').nth(3).waitFor({ timeout: 60_000 });
      assert.match(await restored.locator('.layer-block').nth(0).innerText(), /\[B, 784\][\s\S]*\[B, 64\]/);
      const back = await until(restored, 'the restored run', (s) => s.state === 'cancelled' && s.step >= before.step);
      assert.ok(back.vertices >= before.vertices, `the curve so far: ${back.vertices} points (had ${before.vertices})`);
      assert.ok(back.weightsStep >= before.step, `the weights reached: ${back.weights}`);
      const message = (await restored.locator('.training .message').innerText()).trim();
      assert.match(message, /^training stopped at step \d+ when the window was reloaded or closed \(\d\d:\d\d:\d\d\): its weights and curves are back; Train starts again from these weights$/);
      await page.screenshot({ path: path.join(shotDir, '3-restored.png') });
      log(`    after a window reload during training: ${back.status}`);
      // Train starts again from those weights, and the view follows the new run.
      await palette(page, 'NN Lens: Train');
      await until(restored, 'the new run', (s) => s.state === 'running' && s.vertices >= 2);
      await palette(page, 'NN Lens: Stop');
      await until(restored, 'the stop', (s) => s.state === 'cancelled');
    },
  ],
];
