/** Shared per-file setup for the browser tests: one server and one Chromium, a fresh page per test. */
import { strict as assert } from 'node:assert';
import type { Browser } from 'playwright-core';
import { launchBrowser, WebviewPage, type OpenOptions } from './browser';
import { startServer, type HarnessServer } from './server';
import { trained, type Trained } from '../fixtures/trained';
import * as torch from '../../../src/engine';

export interface Env {
  browser: Browser;
  server: HarnessServer;
  fx: Trained;
  open(o?: OpenOptions): Promise<WebviewPage>;
  /** Opens a page and delivers the real `init`. */
  openWithInit(o?: OpenOptions): Promise<WebviewPage>;
}

/** Options that need a page of their own (the default page is reused from test to test). */
function special(o: OpenOptions): boolean {
  return (o.dpr !== undefined && o.dpr !== 1) || o.width !== undefined || o.height !== undefined;
}

export function useBrowser(): Env {
  const env = {} as Env;
  let shared: WebviewPage | null = null;
  const used: WebviewPage[] = [];
  before(async function () {
    this.timeout(120_000);
    env.fx = trained();
    env.server = await startServer();
    env.browser = await launchBrowser();
    env.open = async (o = {}) => {
      let p: WebviewPage;
      if (special(o)) p = await WebviewPage.open(env.browser, env.server, o);
      else if (shared) {
        p = shared;
        await p.reset(o.theme);
      } else p = shared = await WebviewPage.open(env.browser, env.server, o);
      used.push(p);
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
    for (const p of used.splice(0)) {
      const problems = await p.problems().catch((e: unknown) => [`harness unreachable: ${String(e)}`]);
      if (p !== shared) await p.close();
      assert.deepEqual(problems, [], 'page errors or CSP violations');
    }
  });
  after(async () => {
    await shared?.close();
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

/** How PyTorch prints one float32 value (the engine's print of a 0-d tensor): -0.0213 → `-0.0213`. */
export function printed(v: number): string {
  return torchNumber(torch.fromStorage(new Float32Array([v]), [], 'float32').toString());
}
