/** Headless Debian Chromium through playwright-core, and a typed handle on one harness page. */
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostToWebview, WebviewToHost } from '../../../src/protocol';
import type { HarnessServer } from './server';
import type { ThemeName } from '../page/themes';
import type { BenchResult } from '../page/types';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** ArrayBuffers (and typed arrays) → `{ __b64 }`, which the page decodes back into ArrayBuffers. */
export function encode(v: unknown): unknown {
  if (v instanceof ArrayBuffer) return { __b64: Buffer.from(v).toString('base64') };
  if (ArrayBuffer.isView(v)) return { __b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return v.map(encode);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

type HarnessFn = (...args: unknown[]) => unknown;

export interface OpenOptions {
  theme?: ThemeName;
  width?: number;
  height?: number;
  dpr?: number;
}

export class WebviewPage {
  static async open(browser: Browser, server: HarnessServer, o: OpenOptions = {}): Promise<WebviewPage> {
    const context = await browser.newContext({ viewport: { width: o.width ?? 1000, height: o.height ?? 900 }, deviceScaleFactor: o.dpr ?? 1 });
    const p = new WebviewPage(await context.newPage(), server);
    await p.load(o.theme);
    return p;
  }

  private constructor(readonly page: Page, private readonly server: HarnessServer) {}

  /** A fresh panel in the same tab (cheaper than a new page): forgets the saved state, then loads the page. */
  async reset(theme?: ThemeName): Promise<void> {
    await this.call('clearState');
    await this.load(theme);
  }

  private async load(theme: ThemeName = 'light'): Promise<void> {
    await this.page.goto(`${this.server.url}?theme=${theme}`);
    await this.page.locator('main.nnlens').waitFor({ state: 'attached' });
  }

  /** Calls `window.__harness[name](...args)` in the page. */
  call<T>(name: string, ...args: unknown[]): Promise<T> {
    return this.page.evaluate(([n, a]) => {
      const h = (globalThis as unknown as { __harness: Record<string, HarnessFn> }).__harness;
      return h[n as string](...(a as unknown[]));
    }, [name, args] as const) as Promise<T>;
  }

  /** Delivers a host message (or anything, for the malformed-message tests) and waits two frames. */
  post(msg: HostToWebview | unknown): Promise<void> {
    return this.call('post', encode(msg));
  }

  /** Delivers several messages in one task; resolves to the number of weight renders they caused. */
  postMany(msgs: unknown[]): Promise<number> {
    return this.call('postMany', msgs.map(encode));
  }

  posted(): Promise<WebviewToHost[]> {
    return this.call('posted');
  }

  clearPosted(): Promise<void> {
    return this.call('clearPosted');
  }

  frames(n = 2): Promise<void> {
    return this.call('frames', n);
  }

  pixelAt(selector: string, x: number, y: number): Promise<[number, number, number, number]> {
    return this.call('pixelAt', selector, x, y);
  }

  setTheme(name: ThemeName): Promise<void> {
    return this.call('setTheme', name);
  }

  /** Page coordinates of an element's content box (inside its border). */
  contentBox(selector: string, index = 0): Promise<{ x: number; y: number; width: number; height: number }> {
    return this.call('contentBox', selector, index);
  }

  /** Page errors and CSP violations seen so far. */
  problems(): Promise<string[]> {
    return this.call('problems');
  }

  /** Times `updates` weight updates in the page (see harness.ts `benchWeights`). */
  benchWeights(msg: HostToWebview, updates: number): Promise<BenchResult> {
    return this.call('benchWeights', encode(msg), updates);
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}
