/**
 * The weight-file editor's page in headless Chromium, answered by the real host logic: a stand-in for VS Code's
 * webview (test/webview/page/harness.ts, as the visualizer's tests use it) serves dist/weights-editor.js under the
 * same strict CSP, and `EditorHost` answers the page's messages with `WeightSession` (src/extension/weights), the
 * code the custom editor runs, on real files written by the data layer.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { WeightsHostToWebview, WeightsWebviewToHost } from '../../src/protocol';
import { Job } from '../../src/extension/weights/gather';
import { WeightSession } from '../../src/extension/weights/session';
import { modelFilesBeside, modelOffers, readModelText } from '../../src/extension/weights/neighbours';
import { launchBrowser, WebviewPage } from './harness/browser';
import { startServer, type HarnessServer } from './harness/server';
import type { ThemeName } from './page/themes';

/** The weight-file editor's page, served as the visualizer's tests serve theirs. */
export function startEditorServer(): Promise<HarnessServer> {
  return startServer(undefined, 'weights-editor', 'NN Lens: weights');
}

/** The host side of one page: the file (or its error), the model files beside it, and views on request. */
export class EditorHost {
  private answered = 0;
  readonly session: WeightSession | null;
  readonly error: string | null;

  constructor(readonly page: WebviewPage, readonly file: string) {
    let s: WeightSession | null = null;
    let err: string | null = null;
    try {
      s = WeightSession.open(file);
    } catch (e) {
      err = (e as Error).message;
    }
    this.session = s;
    this.error = err;
  }

  /** What the custom editor posts after `ready` (src/extension/weights/document.ts `pageState`). */
  initial(trusted = true): WeightsHostToWebview[] {
    const s = this.session;
    if (!s) return [{ type: 'error', file: path.basename(this.file), message: this.error ?? '' }];
    const models = modelOffers(s.file, s.source.entries, modelFilesBeside(s.file), readModelText, (f) => `file://${f}`);
    return [{ type: 'file', file: s.info(trusted) }, { type: 'models', models }];
  }

  async post(m: WeightsHostToWebview): Promise<void> {
    await this.page.post(m);
  }

  /** Sends the file, answers the page's requests, then the streamed statistics. */
  async open(trusted = true): Promise<void> {
    for (const m of this.initial(trusted)) await this.post(m);
    await this.pump();
    const batches: { name: string; stats: NonNullable<ReturnType<WeightSession['statsOf']>> }[][] = [];
    await this.session?.computeAllStats((b) => batches.push(b), 0);
    for (const b of batches) await this.post({ type: 'stats', stats: b });
  }

  /** Answers every `select` the page posted since the last call (as the provider does), until none is left. */
  async pump(): Promise<void> {
    for (let round = 0; round < 10; round++) {
      const msgs = (await this.page.posted()) as unknown as WeightsWebviewToHost[];
      const todo = msgs.slice(this.answered).filter((m): m is Extract<WeightsWebviewToHost, { type: 'select' }> => m.type === 'select');
      this.answered = msgs.length;
      if (!todo.length) return;
      for (const m of todo) {
        assert.ok(this.session, 'a select without a file');
        try {
          let computed: WeightsHostToWebview | null = null;
          const r = await this.session.view(m.name, m.index, new Job(), (name, stats) => (computed = { type: 'stats', stats: [{ name, stats }] }));
          await this.post({ type: 'view', requestId: m.requestId, view: r.view });
          if (computed) await this.post(computed);
        } catch (e) {
          await this.post({ type: 'viewError', requestId: m.requestId, name: m.name, index: m.index, message: (e as Error).message });
        }
      }
    }
  }

  async close(): Promise<void> {
    await this.session?.close();
  }
}

export interface EditorEnv {
  browser: Browser;
  server: HarnessServer;
  dir: string;
  /** A fresh page (the shared one, reset) with the editor's page loaded. */
  open(theme?: ThemeName): Promise<WebviewPage>;
  /** A fresh page answered by the host logic for `file`, opened and with its statistics. */
  openFile(file: string, theme?: ThemeName): Promise<{ p: WebviewPage; host: EditorHost }>;
}

/** One server, one Chromium and one temp folder per test file; a page reused from test to test. */
export function useEditorBrowser(): EditorEnv {
  const env = {} as EditorEnv;
  let shared: WebviewPage | null = null;
  const hosts: EditorHost[] = [];
  before(async function () {
    this.timeout(120_000);
    env.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-weights-page-'));
    env.server = await startEditorServer();
    env.browser = await launchBrowser();
    env.open = async (theme) => {
      if (shared) await shared.reset(theme);
      else shared = await WebviewPage.open(env.browser, env.server, { theme });
      return shared;
    };
    env.openFile = async (file, theme) => {
      const p = await env.open(theme);
      const host = new EditorHost(p, file);
      hosts.push(host);
      await host.open();
      return { p, host };
    };
  });
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close();
    if (shared) assert.deepEqual(await shared.problems(), [], 'page errors or CSP violations');
  });
  after(async () => {
    await shared?.close();
    await env.browser?.close();
    await env.server?.close();
    if (env.dir) fs.rmSync(env.dir, { recursive: true, force: true });
  });
  return env;
}
