/** Shared per-file setup for the browser tests: one server and one Chromium, a fresh page per test. */
import { strict as assert } from 'node:assert';
import type { Browser } from 'playwright-core';
import { launchBrowser, WebviewPage, type OpenOptions } from './browser';
import { startServer, type HarnessServer } from './server';
import { trained, type Trained } from '../fixtures/trained';

export interface Env {
  browser: Browser;
  server: HarnessServer;
  fx: Trained;
  open(o?: OpenOptions): Promise<WebviewPage>;
  /** Opens a page and delivers the real `init`. */
  openWithInit(o?: OpenOptions): Promise<WebviewPage>;
}

export function useBrowser(): Env {
  const env = {} as Env;
  const pages: WebviewPage[] = [];
  before(async function () {
    this.timeout(120_000);
    env.fx = trained();
    env.server = await startServer();
    env.browser = await launchBrowser();
    env.open = async (o) => {
      const p = await WebviewPage.open(env.browser, env.server, o);
      pages.push(p);
      return p;
    };
    env.openWithInit = async (o) => {
      const p = await env.open(o);
      await p.post(env.fx.init());
      return p;
    };
  });
  afterEach(async () => {
    // Whatever a test did, the page must not have thrown or hit the CSP.
    for (const p of pages.splice(0)) {
      const problems = await p.problems().catch(() => []);
      await p.close();
      assert.deepEqual(problems, [], 'page errors or CSP violations');
    }
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/** The number PyTorch prints for a one-element tensor's repr: `tensor(-0.0213, grad_fn=...)` → `-0.0213`. */
export function torchNumber(repr: string): string {
  const m = /^tensor\(([^,)]+)/.exec(repr);
  if (!m) throw new Error(`not a scalar tensor repr: ${repr}`);
  return m[1];
}
