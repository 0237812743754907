/**
 * MNIST-style preprocessing of a hand-drawn digit, as LeCun et al. describe the dataset: the ink's bounding box is
 * scaled (keeping its aspect ratio, with area averaging, so strokes become grey at their edges) to fit a 20×20
 * box, which is placed in a 28×28 field so that the ink's centre of mass sits at the field's centre. Pure: no DOM.
 *
 * The shift is a whole number of pixels (the centre of mass ends within half a pixel of the centre) and is
 * clamped so the 20×20 box stays inside the field: no ink is cut off for a very lopsided drawing.
 */

export const FIELD = 28;
export const BOX = 20;

/** Intensities in [0, 1], row-major, `width × height`: ink is 1, paper 0. */
export interface InkImage {
  data: Float32Array;
  width: number;
  height: number;
}

export interface Box {
  x0: number;
  y0: number;
  /** exclusive */
  x1: number;
  y1: number;
}

/** The smallest box holding every pixel brighter than `threshold`, or null for a blank image. */
export function inkBounds(img: InkImage, threshold = 0): Box | null {
  const { data, width, height } = img;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (data[row + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * Weights of an area-averaging resampler from `n` source cells to `m` target cells: row t holds, for each source
 * cell, the fraction of target cell t it covers (each row sums to 1).
 */
export function areaWeights(n: number, m: number): Float64Array {
  const w = new Float64Array(m * n);
  const step = n / m;
  for (let t = 0; t < m; t++) {
    const a = t * step;
    const b = a + step;
    for (let s = Math.floor(a); s < Math.min(n, Math.ceil(b)); s++) {
      const overlap = Math.min(b, s + 1) - Math.max(a, s);
      if (overlap > 0) w[t * n + s] = overlap / step;
    }
  }
  return w;
}

/** Resamples the `box` region of `img` to `tw × th` by area averaging (separable: rows, then columns). */
export function resampleArea(img: InkImage, box: Box, tw: number, th: number): Float32Array {
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  const wx = areaWeights(w, tw);
  const wy = areaWeights(h, th);
  const tmp = new Float64Array(h * tw); // rows of the crop, resampled horizontally
  for (let y = 0; y < h; y++) {
    const src = (box.y0 + y) * img.width + box.x0;
    for (let tx = 0; tx < tw; tx++) {
      let acc = 0;
      const wr = tx * w;
      for (let x = 0; x < w; x++) {
        const k = wx[wr + x];
        if (k !== 0) acc += k * img.data[src + x];
      }
      tmp[y * tw + tx] = acc;
    }
  }
  const out = new Float32Array(tw * th);
  for (let ty = 0; ty < th; ty++) {
    const wr = ty * h;
    for (let tx = 0; tx < tw; tx++) {
      let acc = 0;
      for (let y = 0; y < h; y++) {
        const k = wy[wr + y];
        if (k !== 0) acc += k * tmp[y * tw + tx];
      }
      out[ty * tw + tx] = acc;
    }
  }
  return out;
}

/** Centre of mass in continuous pixel coordinates (pixel i spans [i, i + 1)), or null when there is no ink. */
export function centreOfMass(data: Float32Array, width: number, height: number): { x: number; y: number } | null {
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x];
      m += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
    }
  }
  return m > 0 ? { x: sx / m, y: sy / m } : null;
}

/** The drawing as the 784 values (row-major 28×28, ink 1) the network reads. A blank drawing gives all zeros. */
export function preprocessDigit(img: InkImage, threshold = 0): Float32Array {
  if (img.data.length !== img.width * img.height) {
    throw new RangeError(`preprocessDigit: ${img.data.length} values for a ${img.width}×${img.height} image`);
  }
  const out = new Float32Array(FIELD * FIELD);
  const box = inkBounds(img, threshold);
  if (!box) return out;
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  const s = BOX / Math.max(w, h);
  const tw = Math.max(1, Math.min(BOX, Math.round(w * s)));
  const th = Math.max(1, Math.min(BOX, Math.round(h * s)));
  const small = resampleArea(img, box, tw, th);
  const com = centreOfMass(small, tw, th) ?? { x: tw / 2, y: th / 2 };
  const clamp = (v: number, hi: number): number => Math.max(0, Math.min(hi, v));
  const ox = clamp(Math.round(FIELD / 2 - com.x), FIELD - tw);
  const oy = clamp(Math.round(FIELD / 2 - com.y), FIELD - th);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      out[(oy + y) * FIELD + ox + x] = Math.min(1, Math.max(0, small[y * tw + x]));
    }
  }
  return out;
}
