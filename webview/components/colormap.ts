/**
 * Colour scales as 256-entry RGBA lookup tables, built once per theme from d3 scales. Heatmaps map each value to
 * an entry and write it straight into ImageData: no per-value colour objects. Pure: no DOM.
 *
 * The weight scale is diverging and centred on zero, with a symmetric domain [-m, m] (m = max |w|): negative
 * weights red, positive blue, zero the theme's background (light: d3's RdBu, whose centre is near white).
 */
import { scaleDiverging, scaleSequential } from 'd3-scale';
import { interpolateRdBu, interpolateGreys, interpolateBlues } from 'd3-scale-chromatic';
import { interpolateLab, piecewise } from 'd3-interpolate';
import { rgb } from 'd3-color';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export const LUT_SIZE = 256;

export interface Lut {
  /** Packed RGBA for a Uint32Array view of ImageData (little-endian: 0xAABBGGRR). */
  packed: Uint32Array;
  /** The same colours as [r, g, b] triples, for SVG and tests. */
  rgb: Uint8ClampedArray;
}

/** Samples an interpolator over [0, 1] at 256 evenly spaced points. */
export function buildLut(interpolate: (t: number) => string): Lut {
  const packed = new Uint32Array(LUT_SIZE);
  const out = new Uint8ClampedArray(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const c = rgb(interpolate(i / (LUT_SIZE - 1)));
    const r = Math.round(c.r);
    const g = Math.round(c.g);
    const b = Math.round(c.b);
    out.set([r, g, b], i * 3);
    packed[i] = ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
  }
  return { packed, rgb: out };
}

/** The diverging interpolator for a theme: stops from negative through the background to positive. */
export function divergingInterpolator(kind: ThemeKind, background: string): (t: number) => string {
  switch (kind) {
    case 'light':
      return interpolateRdBu;
    case 'high-contrast-light':
      return piecewise(interpolateLab, ['#8b0000', '#e0301e', '#ffffff', '#1a5fd0', '#002a7a']);
    case 'dark':
      return piecewise(interpolateLab, ['#ffb4a0', '#e5533d', background, '#3a86e0', '#a8d4ff']);
    case 'high-contrast':
      return piecewise(interpolateLab, ['#ffd6c8', '#ff3d1f', '#000000', '#1e90ff', '#d0ecff']);
  }
}

/** d3's diverging scale on [-m, 0, m] read through the table: value → table index. */
export class DivergingScale {
  readonly max: number;
  private readonly scale;

  constructor(readonly lut: Lut, max: number) {
    this.max = max > 0 && Number.isFinite(max) ? max : 1;
    this.scale = scaleDiverging((t: number) => t).domain([-this.max, 0, this.max]).clamp(true);
  }

  /** Index in the table of value v (NaN → the centre). */
  index(v: number): number {
    if (Number.isNaN(v)) return LUT_SIZE >> 1;
    return Math.round(this.scale(v) * (LUT_SIZE - 1));
  }

  /**
   * Maps values into packed pixels: the hot loop of every heatmap, with no scale call per value. Equal to
   * `packed[index(v)]`: round((v + m) · 255 / 2m), clamped; NaN → the centre.
   */
  fill(values: ArrayLike<number>, out: Uint32Array, offset = 0, count = values.length, start = 0): void {
    const k = (LUT_SIZE - 1) / (2 * this.max);
    const b = this.max * k + 0.5;
    const packed = this.lut.packed;
    const top = LUT_SIZE - 1;
    const mid = LUT_SIZE >> 1;
    for (let i = 0; i < count; i++) {
      const x = values[start + i] * k + b;
      // x | 0 floors the (positive, in-range) x; the comparisons keep ±inf and huge values out of it.
      out[offset + i] = packed[x > 0 ? (x < top ? x | 0 : top) : x <= 0 ? 0 : mid];
    }
  }

  /** `rgb(r, g, b)` of a value. */
  css(v: number): string {
    const i = this.index(v) * 3;
    const c = this.lut.rgb;
    return `rgb(${c[i]}, ${c[i + 1]}, ${c[i + 2]})`;
  }
}

/** Greyscale for images (0 black, 1 white), as MNIST digits are shown. */
export function imageLut(): Lut {
  return buildLut((t) => interpolateGreys(1 - t));
}

/** Sequential scale for counts (confusion matrix): background for 0, then blues. */
export function countColor(kind: ThemeKind, max: number): (v: number) => string {
  const light = kind === 'light' || kind === 'high-contrast-light';
  const interp = light ? (t: number) => interpolateBlues(0.05 + 0.9 * t) : piecewise(interpolateLab, ['#1b2a3a', '#2b6cb0', '#9fd3ff']);
  const s = scaleSequential(interp).domain([0, Math.max(1, Math.sqrt(max))]);
  return (v: number) => s(Math.sqrt(v));
}

/** Black or white, whichever reads better on `background`. */
export function textOn(background: string): string {
  const c = rgb(background);
  const lum = (0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b) / 255;
  return lum > 0.55 ? '#000000' : '#ffffff';
}
