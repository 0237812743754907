/** A canvas whose backing store follows devicePixelRatio, so lines and text stay sharp on any screen. */

export interface Surface {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  /** CSS pixels. */
  width: number;
  height: number;
  dpr: number;
}

export function createSurface(canvas: HTMLCanvasElement): Surface {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('canvas 2d context unavailable');
  return { canvas, ctx, width: 0, height: 0, dpr: 1 };
}

/** Sizes the backing store to css × devicePixelRatio (only when it changed) and resets the transform. */
export function sizeSurface(s: Surface, width: number, height: number): void {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (s.canvas.width !== w || s.canvas.height !== h) {
    s.canvas.width = w;
    s.canvas.height = h;
  }
  s.canvas.style.width = `${width}px`;
  s.canvas.style.height = `${height}px`;
  s.width = width;
  s.height = height;
  s.dpr = dpr;
  s.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  s.ctx.imageSmoothingEnabled = false;
}

/** A small canvas whose pixels are the data (28×28 tiles, digits), upscaled by CSS with `image-rendering: pixelated`. */
export function pixelCanvas(width: number, height: number, className: string): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.className = `pixels ${className}`;
  return c;
}

/** Writes packed RGBA pixels to a canvas of the same size. */
export function putPixels(canvas: HTMLCanvasElement, image: ImageData): void {
  const ctx = canvas.getContext('2d');
  if (ctx) ctx.putImageData(image, 0, 0);
}
