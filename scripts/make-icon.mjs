// Draws media/icon.png (128×128): a small network (784 → 64 → 10 in spirit) whose connections are coloured like
// the visualizer's weight heatmaps (blue positive, red negative), inside a lens. Pure Node: zlib + a PNG writer.
// Usage: node scripts/make-icon.mjs [out.png]
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const SIZE = 128;
const SS = 4; // supersampling per axis
const W = SIZE * SS;
const rgba = new Float32Array(W * W * 4);

function blend(x, y, r, g, b, a) {
  if (x < 0 || y < 0 || x >= W || y >= W || a <= 0) return;
  const i = (y * W + x) * 4;
  const da = rgba[i + 3];
  const oa = a + da * (1 - a);
  if (oa <= 0) return;
  rgba[i] = (r * a + rgba[i] * da * (1 - a)) / oa;
  rgba[i + 1] = (g * a + rgba[i + 1] * da * (1 - a)) / oa;
  rgba[i + 2] = (b * a + rgba[i + 2] * da * (1 - a)) / oa;
  rgba[i + 3] = oa;
}

/** Fills every supersampled pixel where `inside(x, y)` (coordinates in icon pixels). */
function fill(inside, [r, g, b], a = 1, box = [0, 0, SIZE, SIZE]) {
  const [x0, y0, x1, y1] = box.map((v) => Math.round(v * SS));
  for (let y = Math.max(0, y0); y < Math.min(W, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(W, x1); x++) {
      if (inside((x + 0.5) / SS, (y + 0.5) / SS)) blend(x, y, r, g, b, a);
    }
  }
}

function roundedRect(x0, y0, x1, y1, rad) {
  return (x, y) => {
    const cx = Math.min(Math.max(x, x0 + rad), x1 - rad);
    const cy = Math.min(Math.max(y, y0 + rad), y1 - rad);
    return (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad;
  };
}

function circle(cx, cy, rad) {
  return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad;
}

function ring(cx, cy, r0, r1) {
  return (x, y) => {
    const d = (x - cx) ** 2 + (y - cy) ** 2;
    return d <= r1 * r1 && d >= r0 * r0;
  };
}

function segment(ax, ay, bx, by, width) {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  return (x, y) => {
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
    return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= (width / 2) ** 2;
  };
}

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);
// RdBu ends as in the visualizer's diverging scale.
const BLUE = hex('#4393c3');
const RED = hex('#d6604d');
const NODE = hex('#f4f4f6');
const BG = hex('#1e1e2e');
const LENS = hex('#9ecae1');

fill(roundedRect(4, 4, 124, 124, 22), BG);

const layers = [
  [30, 50, 70, 90, 110].map((y) => [26, y - 6]),
  [38, 64, 90].map((y) => [64, y]),
  [50, 78].map((y) => [102, y]),
];
// Deterministic "weights": a small LCG, signs and magnitudes as a trained layer might have.
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
for (let l = 0; l + 1 < layers.length; l++) {
  for (const [ax, ay] of layers[l]) {
    for (const [bx, by] of layers[l + 1]) {
      const w = rand() * 2 - 1;
      const bounds = [Math.min(ax, bx) - 4, Math.min(ay, by) - 4, Math.max(ax, bx) + 4, Math.max(ay, by) + 4];
      fill(segment(ax, ay, bx, by, 1.2 + 2.8 * Math.abs(w)), w >= 0 ? BLUE : RED, 0.35 + 0.6 * Math.abs(w), bounds);
    }
  }
}
for (const layer of layers) {
  for (const [x, y] of layer) fill(circle(x, y, 6.5), NODE, 1, [x - 8, y - 8, x + 8, y + 8]);
}
// The lens over the hidden layer, with its handle.
fill(ring(64, 64, 22, 27), LENS, 0.95, [30, 30, 98, 98]);
fill(circle(64, 64, 22), LENS, 0.12, [40, 40, 88, 88]);
fill(segment(83, 83, 104, 104, 9), LENS, 0.95, [76, 76, 112, 112]);

// Downsample and write an RGBA PNG.
const px = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  px[y * (SIZE * 4 + 1)] = 0;
  for (let x = 0; x < SIZE; x++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const i = ((y * SS + sy) * W + x * SS + sx) * 4;
        r += rgba[i] * rgba[i + 3];
        g += rgba[i + 1] * rgba[i + 3];
        b += rgba[i + 2] * rgba[i + 3];
        a += rgba[i + 3];
      }
    }
    const o = y * (SIZE * 4 + 1) + 1 + x * 4;
    px[o] = a ? Math.round((255 * r) / a) : 0;
    px[o + 1] = a ? Math.round((255 * g) / a) : 0;
    px[o + 2] = a ? Math.round((255 * b) / a) : 0;
    px[o + 3] = Math.round((255 * a) / (SS * SS));
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(px, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = process.argv[2] ?? new URL('../media/icon.png', import.meta.url).pathname;
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
