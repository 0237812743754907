import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../../../src/engine';
import { NpyFile, decodeNpy, encodeNpy, readNpyFile, writeNpyFile } from '../../../src/data/npy';

const FIX = path.resolve(__dirname, '../../fixtures/data');
const fx = (n: string): string => path.join(FIX, n);

describe('.npy files', () => {
  it('reads what numpy wrote: float32, float64, uint8, int64 and a 0-d array', () => {
    const f4 = readNpyFile(fx('npy-f4.npy'));
    assert.equal(f4.dtype, 'float32');
    assert.deepEqual(f4.shape.slice(), [3, 4]);
    assert.equal(f4.at(2, 3), Math.fround(Math.fround(11) / 7));
    const f8 = readNpyFile(fx('npy-f8.npy'));
    assert.deepEqual(f8.tolist(), [[1e-300, -2.5], [Math.PI, 1e300]]);
    const u1 = readNpyFile(fx('npy-u1.npy'));
    assert.equal(u1.dtype, 'uint8');
    assert.equal(u1.toString(), 'tensor([  0,   7, 255], dtype=torch.uint8)');
    const i8 = readNpyFile(fx('npy-i8.npy'));
    assert.equal(i8.dtype, 'int64');
    assert.deepEqual(i8.tolist(), [[-(2 ** 53) + 1, 0], [42, 2 ** 53 - 1]]);
    const s = readNpyFile(fx('npy-scalar.npy'));
    assert.deepEqual(s.shape.slice(), []);
    assert.equal(s.item(), 2.5);
  });

  it('writes byte-for-byte what numpy writes', () => {
    for (const f of ['npy-f4.npy', 'npy-f8.npy', 'npy-u1.npy', 'npy-i8.npy', 'npy-scalar.npy']) {
      const bytes = fs.readFileSync(fx(f));
      assert.deepEqual(Buffer.from(encodeNpy(decodeNpy(bytes, f))), bytes, f);
    }
  });

  it('round-trips a non-contiguous view in C order', () => {
    const t = torch.arange(6, undefined, 1, { dtype: 'float32' }).view(2, 3).T;
    const back = decodeNpy(encodeNpy(t));
    assert.deepEqual(back.tolist(), [[0, 3], [1, 4], [2, 5]]);
  });

  it('refuses Fortran order, big-endian and object arrays with a clear reason', () => {
    assert.throws(() => readNpyFile(fx('npy-fortran.npy')), /npy-fortran.npy: Fortran-order arrays are not supported/);
    assert.throws(() => readNpyFile(fx('npy-bigendian.npy')), /npy-bigendian.npy: big-endian data \(>f4\) is not supported/);
    assert.throws(() => readNpyFile(fx('npy-object.npy')), /npy-object.npy: object arrays \(dtype=object\) are not supported/);
  });

  it('refuses a truncated file, a bad magic and an unsupported dtype, naming the file', () => {
    const bytes = fs.readFileSync(fx('npy-f4.npy'));
    assert.throws(() => decodeNpy(bytes.subarray(0, bytes.length - 4), 'cut.npy'), /cut.npy: truncated: shape \(3, 4\) of float32 needs 48 bytes of data, the file holds 44/);
    assert.throws(() => decodeNpy(bytes.subarray(0, 40), 'head.npy'), /head.npy: truncated .npy header/);
    assert.throws(() => decodeNpy(Buffer.from('PK\x03\x04 not numpy'), 'x.npy'), /x.npy: not a .npy file/);
    const c8 = Buffer.from(bytes);
    c8.write("'<c8'", c8.indexOf("'<f4'"), 'latin1');
    assert.throws(() => decodeNpy(c8, 'c.npy'), /c.npy: unsupported dtype complex64 \(<c8\)/);
  });

  it('NpyFile reads the header first and the data on demand; writes are atomic', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-npy-'));
    try {
      const p = path.join(dir, 'a.npy');
      writeNpyFile(p, torch.ones([2, 5]));
      const f = NpyFile.open(p);
      assert.deepEqual(f.header.shape, [2, 5]);
      assert.equal(f.header.dtype, 'float32');
      assert.equal(f.header.dataOffset, 128);
      assert.equal(f.read().sum().item(), 10);
      f.close();
      assert.deepEqual(fs.readdirSync(dir), ['a.npy']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
