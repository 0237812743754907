// How long a visualizer closed during training takes to show its layers again, in real VS Code (code-server) and
// headless Chromium: open the example model (100 epochs), open the visualizer, train, close the panel after 3 s of
// training, reopen it from the palette and time it until its layers are drawn; three rounds. A page that cannot keep
// up with the updates must not build a queue that holds the new panel back (src/extension/outbox.ts).
// Needs `npm run build` and code-server (scripts/install-code-server.sh). Figures, not a test.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Page, type FrameLocator } from 'playwright-core';

interface CodeServer {
  base: string;
  stop(): void;
}
interface CodeServerModule {
  freePort(): Promise<number>;
  startCodeServer(o: { dataDir: string; folder: string; port: number; logFile: string; settings: Record<string, unknown> }): Promise<CodeServer>;
  workbenchUrl(base: string, port: number, folder: string, extensionPath: string): string;
}
interface UiHelpers {
  workbenchReady(page: Page): Promise<void>;
  openFile(page: Page, name: string): Promise<void>;
  palette(page: Page, title: string): Promise<void>;
  visualizer(page: Page): FrameLocator;
}

const ROOT = path.resolve(__dirname, '..');
const ROUNDS = 3;

async function main(): Promise<void> {
  const cs = (await import(path.join(ROOT, 'scripts/code-server.mjs'))) as CodeServerModule;
  const ui = (await import(path.join(ROOT, 'test/e2e/ui/helpers.mjs'))) as UiHelpers;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-reopen-'));
  const ws = path.join(tmp, 'ws');
  fs.cpSync(path.join(ROOT, 'examples'), ws, { recursive: true });
  const model = path.join(ws, 'mnist-mlp.nn.json');
  fs.writeFileSync(model, fs.readFileSync(model, 'utf8').replace('"epochs": 1', '"epochs": 100'));
  const port = await cs.freePort();
  const server = await cs.startCodeServer({ dataDir: tmp, folder: tmp, port, logFile: path.join(tmp, 'code-server.log'), settings: { 'security.workspace.trust.enabled': false } });
  const browser = await chromium.launchPersistentContext(path.join(tmp, 'browser'), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1600, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(cs.workbenchUrl(server.base, port, ws, ROOT));
    await ui.workbenchReady(page);
    await ui.openFile(page, 'mnist-mlp.nn.json');
    await ui.palette(page, 'NN Lens: Open Visualizer');
    await ui.visualizer(page).locator('.layer-block').nth(3).waitFor({ timeout: 120_000 });
    await ui.palette(page, 'NN Lens: Train');
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await page.waitForTimeout(3000); // the page receives updates of the run
      await page.locator('.tabs-container .tab', { hasText: 'NN Lens: mnist-mlp.nn.json' }).first().locator('.codicon-close').click();
      await page.locator('iframe.webview.ready').waitFor({ state: 'detached', timeout: 15_000 });
      const t0 = Date.now();
      await ui.palette(page, 'NN Lens: Open Visualizer');
      await ui.visualizer(page).locator('.layer-block').nth(3).waitFor({ timeout: 120_000 });
      times.push((Date.now() - t0) / 1000);
    }
    console.log(`visualizer reopened during training: layers drawn after ${times.map((t) => `${t.toFixed(1)} s`).join(', ')} (rounds 1-${ROUNDS}; the palette included)`);
  } finally {
    await browser.close();
    server.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
