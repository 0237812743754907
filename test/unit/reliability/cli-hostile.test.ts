/**
 * The command line on hostile files: corrupt weights, arrays and datasets end with exit 1 and one message naming
 * the file; names holding terminal escape sequences (which could clear the screen or retitle the window) are
 * printed as \u001b, never sent to the terminal.
 */
import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runCli } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import { encodeIdx } from '../../../src/data/idx';
import { encodeNpy } from '../../../src/data/npy';
import { encodeSafetensors } from '../../../src/data/safetensors';
import * as torch from '../../../src/engine';

const ROOT = path.resolve(__dirname, '../../..');
const ESC = '\u001b';

describe('nnlens on hostile files', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-hostile-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), isTTY: false, columns: 100, cwd: dir, home: path.join(ROOT, 'src/cli') };
    const code = await runCli(args, io);
    return { code, out, err };
  }
  const write = (name: string, bytes: Uint8Array | string): string => {
    fs.writeFileSync(path.join(dir, name), bytes);
    return path.join(dir, name);
  };

  it('corrupt .safetensors and .npy: exit 1, one line naming the file and the problem', async () => {
    const st = Buffer.concat(encodeSafetensors([['w', torch.ones([4, 4])]]));
    const npy = encodeNpy(torch.ones([4, 4]));
    const cases: [string, Uint8Array, RegExp][] = [
      ['cut.safetensors', st.subarray(0, st.length - 3), /: tensor "w": data_offsets \[0, 64\] run past the end of the data \(61 bytes\): the file is truncated$/],
      ['len.safetensors', Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), st.subarray(8)]), /: header length 9223372036854775807 is larger than the 100000000-byte limit/],
      ['cut.npy', npy.subarray(0, npy.length - 1), /: truncated: shape \(4, 4\) of float32 needs 64 bytes of data, the file holds 63$/],
      ['huge.npy', Buffer.from(Buffer.from(npy).toString('latin1').replace('(4, 4)', '(9999999999999, 9)'), 'latin1'), /: truncated: shape \(9999999999999, 9\) of float32 needs 359999999999964 bytes of data, the file holds \d+$/],
    ];
    for (const [name, bytes, re] of cases) {
      const file = write(name, bytes);
      const r = await cli(['inspect', name]);
      assert.equal(r.code, 1, name);
      assert.equal(r.out, '');
      const lines = r.err.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.err);
      assert.ok(lines[0].startsWith(`nnlens inspect: error: ${file}: `), r.err);
      assert.match(lines[0], re);
    }
  });

  it('a corrupt dataset folder: exit 1 naming the IDX file', async () => {
    const data = path.join(dir, 'data');
    fs.mkdirSync(data);
    const images = encodeIdx([10, 28, 28], new Uint8Array(crypto.randomBytes(10 * 784)));
    fs.writeFileSync(path.join(data, 'train-images-idx3-ubyte.gz'), zlib.gzipSync(images).subarray(0, 200)); // cut short
    fs.writeFileSync(path.join(data, 'train-labels-idx1-ubyte'), encodeIdx([10], new Uint8Array(10)));
    fs.writeFileSync(path.join(data, 't10k-images-idx3-ubyte'), images);
    fs.writeFileSync(path.join(data, 't10k-labels-idx1-ubyte'), encodeIdx([10], new Uint8Array(10)));
    fs.copyFileSync(path.join(ROOT, 'test/fixtures/data/seed.nn.json'), path.join(dir, 'seed.nn.json'));
    const r = await cli(['train', 'seed.nn.json', '--data', 'data']);
    assert.equal(r.code, 1);
    assert.equal(r.err.trim(), `nnlens train: error: ${path.join(data, 'train-images-idx3-ubyte.gz')}: the gzip stream is truncated`);
  });

  it('escape sequences in model, layer and tensor names never reach the terminal', async () => {
    const model = (type: string): string =>
      JSON.stringify({ name: `evil${ESC}]0;pwned\u0007`, input: { shape: [784], dataset: 'mnist' }, layers: [{ name: `W${ESC}[2J`, type, in: 784, out: 10 }], train: { batchSize: 10, optimizer: { type: 'sgd', lr: 0.1 } } });
    write('evil.nn.json', model('Linear'));
    const shown = await cli(['inspect', 'evil.nn.json']);
    assert.equal(shown.code, 0, shown.err);
    assert.ok(!shown.out.includes(ESC) && !shown.out.includes('\u0007'), shown.out);
    assert.match(shown.out, /^evil\\u001b\]0;pwned\\u0007 \(mnist, input \[784\]\)/);
    assert.match(shown.out, /W\\u001b\[2J {2}Linear/);

    write('bad.nn.json', model(`Lin${ESC}[2Jear`));
    const refused = await cli(['train', 'bad.nn.json']);
    assert.equal(refused.code, 1);
    assert.ok(!refused.err.includes(ESC), refused.err);
    assert.match(refused.err, /Lin\\u001b\[2Jear/);

    write('evil.safetensors', Buffer.concat(encodeSafetensors([[`w${ESC}[2J\u202e`, torch.ones([2])]])));
    const tensors = await cli(['inspect', 'evil.safetensors']);
    assert.equal(tensors.code, 0, tensors.err);
    assert.ok(!tensors.out.includes(ESC) && !tensors.out.includes('\u202e'), tensors.out);
    assert.match(tensors.out, /^w\\u001b\[2J\\u202e: float32 torch.Size\(\[2\]\)/m);

    write('evil2.safetensors', Buffer.concat(encodeSafetensors([[`w${ESC}[2J`, torch.ones([2])]])).subarray(0, 60));
    const broken = await cli(['inspect', 'evil2.safetensors']);
    assert.equal(broken.code, 1);
    assert.ok(!broken.err.includes(ESC), broken.err);
  });
});
