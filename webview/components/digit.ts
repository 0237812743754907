/** A greyscale image (an MNIST digit, 28×28 uint8 or [0, 1] floats) on a canvas upscaled without smoothing. */
import { pixelCanvas } from './canvas';
import type { Lut } from './colormap';

export class DigitImage {
  readonly canvas: HTMLCanvasElement;
  private readonly image: ImageData;

  constructor(readonly width = 28, readonly height = 28, className = 'digit') {
    this.canvas = pixelCanvas(width, height, className);
    this.canvas.setAttribute('role', 'img');
    this.image = new ImageData(width, height);
  }

  /** `pixels`: uint8 (0–255) or floats in [0, 1]; `offset` into it. */
  draw(pixels: Uint8Array | Float32Array, lut: Lut, offset = 0, label?: string): void {
    const out = new Uint32Array(this.image.data.buffer);
    const float = pixels instanceof Float32Array;
    const n = this.width * this.height;
    for (let i = 0; i < n; i++) {
      const v = float ? Math.round(Math.min(1, Math.max(0, pixels[offset + i])) * 255) : pixels[offset + i];
      out[i] = lut.packed[v];
    }
    this.canvas.getContext('2d')?.putImageData(this.image, 0, 0);
    if (label) this.canvas.setAttribute('aria-label', label);
  }
}
