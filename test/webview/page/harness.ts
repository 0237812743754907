/**
 * Runs in the harness page before dist/webview.js: a stand-in for VS Code's `acquireVsCodeApi` that records what
 * the webview posts and keeps its state in sessionStorage (so a reload is a restored panel), the theme (body class
 * + `--vscode-*` variables, as VS Code sets them), and helpers the tests call through `window.__harness`.
 */
import { THEMES, type ThemeName } from './themes';
import type { BenchResult } from './types';

type Encoded = unknown;

interface Harness {
  post(msg: Encoded): Promise<void>;
  postMany(msgs: Encoded[]): Promise<number>;
  posted(): unknown[];
  clearPosted(): void;
  frames(n?: number): Promise<void>;
  pixelAt(selector: string, x: number, y: number): [number, number, number, number];
  setTheme(name: ThemeName): Promise<void>;
  problems(): string[];
  contentBox(selector: string, index?: number): { x: number; y: number; width: number; height: number };
  state(): unknown;
  clearState(): void;
  benchWeights(msg: Encoded, updates: number): Promise<BenchResult>;
}


declare global {
  interface Window {
    __harness: Harness;
  }
}

const posted: unknown[] = [];
const problems: string[] = [];
const STATE_KEY = 'nnlens-harness-state';
let acquired = false;

window.acquireVsCodeApi = () => {
  if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
  acquired = true;
  return {
    postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => {
      const s = sessionStorage.getItem(STATE_KEY);
      return s === null ? undefined : JSON.parse(s);
    },
    setState: (s: unknown) => sessionStorage.setItem(STATE_KEY, JSON.stringify(s)),
  };
};

window.addEventListener('error', (e) => problems.push(`error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => problems.push(`unhandled rejection: ${String(e.reason)}`));
document.addEventListener('securitypolicyviolation', (e) => problems.push(`CSP: ${e.violatedDirective} blocked ${e.blockedURI}`));

/** `{ __b64: '...' }` → ArrayBuffer, `{ __f32: [...] }` → Float32Array's buffer, recursively. */
function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  if (typeof o.__b64 === 'string') {
    const bin = atob(o.__b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes.buffer;
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
}

function frames(n = 2): Promise<void> {
  return new Promise((resolve) => {
    const step = (k: number): void => {
      if (k <= 0) resolve();
      else requestAnimationFrame(() => step(k - 1));
    };
    step(n);
  });
}

function applyTheme(name: ThemeName): void {
  const t = THEMES[name];
  document.body.className = t.bodyClass;
  document.body.dataset.vscodeThemeKind = t.bodyClass;
  const root = document.documentElement;
  for (const [k, v] of Object.entries(t.vars)) root.style.setProperty(k, v);
}

const params = new URLSearchParams(location.search);
applyTheme((params.get('theme') as ThemeName | null) ?? 'light');

window.__harness = {
  async post(msg) {
    // Synchronous dispatch, as VS Code delivers a host message: listeners have run when this returns.
    window.dispatchEvent(new MessageEvent('message', { data: decode(msg) }));
    await frames(2);
  },
  async postMany(msgs) {
    // Several messages within one task; returns how many renders the page measured for them.
    const before = performance.getEntriesByName('nnlens:render').length;
    for (const m of msgs) window.dispatchEvent(new MessageEvent('message', { data: decode(m) }));
    await frames(3);
    return performance.getEntriesByName('nnlens:render').length - before;
  },
  posted: () => posted.slice(),
  clearPosted: () => void posted.splice(0),
  frames,
  pixelAt(selector, x, y) {
    const c = document.querySelector(selector);
    if (!(c instanceof HTMLCanvasElement)) throw new Error(`no canvas ${selector}`);
    // A canvas in a collapsed section has no layout box: fall back to its computed CSS size.
    const cs = getComputedStyle(c);
    const ratioX = c.width / (c.clientWidth || parseFloat(cs.width));
    const ratioY = c.height / (c.clientHeight || parseFloat(cs.height));
    const d = c.getContext('2d')?.getImageData(Math.floor(x * ratioX), Math.floor(y * ratioY), 1, 1).data;
    if (!d) throw new Error('no 2d context');
    return [d[0], d[1], d[2], d[3]];
  },
  async setTheme(name) {
    applyTheme(name);
    await frames(3);
  },
  problems: () => problems.slice(),
  contentBox(selector, index = 0) {
    const e = document.querySelectorAll(selector)[index];
    if (!(e instanceof HTMLElement)) throw new Error(`no element ${selector} [${index}]`);
    const r = e.getBoundingClientRect();
    return { x: r.left + e.clientLeft, y: r.top + e.clientTop, width: e.clientWidth, height: e.clientHeight };
  },
  state: () => JSON.parse(sessionStorage.getItem(STATE_KEY) ?? 'null'),
  clearState: () => sessionStorage.removeItem(STATE_KEY),
  async benchWeights(msg, updates) {
    type W = { name: string; shape: number[]; data: ArrayBuffer };
    const base = decode(msg) as { step: number; weights: W[] };
    const canvases = [...document.querySelectorAll<HTMLCanvasElement>('.weights .heatmap-canvas, .weights .strip-canvas, .hidden-units .tile')];
    performance.clearMeasures('nnlens:render');
    const out: BenchResult = { handle: [], render: [], raster: [] };
    for (let i = 0; i < updates; i++) {
      // New values every update (as training sends), made before the clock starts.
      const weights = base.weights.map((w) => {
        const src = new Float32Array(w.data);
        const dst = new Float32Array(src.length);
        const f = 1 + 0.25 * Math.sin(i);
        for (let k = 0; k < src.length; k++) dst[k] = src[k] * f + (k % 7 === i % 7 ? 0.01 : 0);
        return { ...w, data: dst.buffer };
      });
      const t0 = performance.now();
      window.dispatchEvent(new MessageEvent('message', { data: { ...base, step: base.step + i, weights } }));
      out.handle.push(performance.now() - t0);
      await frames(1); // the app's frame callback was queued first: it has drawn
      const t1 = performance.now();
      for (const c of canvases) c.getContext('2d')?.getImageData(0, 0, 1, 1); // forces any deferred raster
      out.raster.push(performance.now() - t1);
    }
    out.render = performance.getEntriesByName('nnlens:render').map((e) => e.duration).slice(-updates);
    return out;
  },
};
