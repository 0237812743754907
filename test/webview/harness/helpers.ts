/** Helpers for the browser tests: expected colours, heatmap geometry, posted messages. */
import { strict as assert } from 'node:assert';
import { interpolateRdBu } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';
import type { WebviewToHost } from '../../../src/protocol';
import type { WebviewPage } from './browser';
import type { Trained } from '../fixtures/trained';

export const HEAT = '.weights .heatmap-canvas';

/** A trained tensor of the fixture as float32 values. */
export function weightsOf(fx: Trained, name: string): { shape: number[]; data: Float32Array } {
  const p = fx.weights.find((w) => w.name === name);
  assert.ok(p, name);
  return { shape: p.shape, data: new Float32Array(p.data) };
}

export function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/** The colour the light theme must give v: d3's RdBu over [-m, m], sampled at 256 points. */
export function expectedLight(v: number, m: number): [number, number, number] {
  const i = Math.round(((v + m) / (2 * m)) * 255);
  const c = rgb(interpolateRdBu(i / 255));
  return [Math.round(c.r), Math.round(c.g), Math.round(c.b)];
}

/** CSS position (inside the canvas) of cell (r, c) of a heatmap, from the view it reports. */
export async function cellCentre(p: WebviewPage, sel: string, r: number, c: number): Promise<{ x: number; y: number }> {
  const canvas = p.page.locator(sel);
  const num = async (k: string): Promise<number> => Number(await canvas.getAttribute(k));
  const [sx, sy, tx, ty] = await Promise.all([num('data-cell-width'), num('data-cell-height'), num('data-tx'), num('data-ty')]);
  return { x: tx + (c + 0.5) * sx, y: ty + (r + 0.5) * sy };
}

/** Moves the mouse to a point inside an element's content box. */
export async function hover(p: WebviewPage, sel: string, at: { x: number; y: number }): Promise<void> {
  await p.page.locator(sel).scrollIntoViewIfNeeded();
  const box = await p.contentBox(sel);
  await p.page.mouse.move(box.x + at.x, box.y + at.y);
  await p.frames(1);
}

export function lastPosted<T extends WebviewToHost['type']>(msgs: WebviewToHost[], type: T): Extract<WebviewToHost, { type: T }> | undefined {
  return msgs.filter((m): m is Extract<WebviewToHost, { type: T }> => m.type === type).pop();
}

export function argmaxOf(a: ArrayLike<number>, start: number, n: number): number {
  let b = 0;
  for (let i = 1; i < n; i++) if (a[start + i] > a[start + b]) b = i;
  return b;
}
