import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../../../src/engine';
import { SafetensorsFile, decodeSafetensors, encodeSafetensors, readSafetensorsFile, writeSafetensorsFile } from '../../../src/data/safetensors';
import { readNpyFile } from '../../../src/data/npy';
import { buildModel } from '../../../src/model/build';
import { loadModelSpec } from '../../../src/model/load';

const FIX = path.resolve(__dirname, '../../fixtures/data');
const fx = (n: string): string => path.join(FIX, n);
const seedSpec = (): ReturnType<typeof loadModelSpec> => loadModelSpec(fs.readFileSync(fx('seed.nn.json'), 'utf8'), 'seed.nn.json');

/** A file from a header object and a data section. */
function file(header: unknown, data: number): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

function maxDiff(a: torch.Tensor, b: torch.Tensor): number {
  const x = a.toArray();
  const y = b.toArray();
  assert.equal(x.length, y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

describe('safetensors', () => {
  it('loads weights PyTorch saved into our model, which then gives PyTorch\'s outputs (atol 1e-5)', () => {
    const sd = readSafetensorsFile(fx('torch-seed.safetensors'));
    assert.deepEqual([...sd.keys()].sort(), ['W1.bias', 'W1.weight', 'W2.bias', 'W2.weight']);
    const model = buildModel({ ...seedSpec(), init: { seed: 123, scheme: 'pytorch' } });
    model.loadStateDict(sd);
    const y = torch.noGrad(() => model.forward(readNpyFile(fx('torch-x.npy'))));
    assert.ok(maxDiff(y, readNpyFile(fx('torch-y.npy'))) < 1e-5);
    // and our own init with the same seed is PyTorch's
    const ours = buildModel(seedSpec()).stateDict();
    for (const [k, v] of sd) assert.equal(maxDiff(ours.get(k) as torch.Tensor, v), 0, k);
  });

  it('writes a file whose bytes decode to the same tensors, in state_dict order, header aligned to 8', () => {
    const tensors: [string, torch.Tensor][] = [
      ['a.weight', torch.tensor([[1.5, -2], [3, 4.25]], { dtype: 'float32' })],
      ['b', torch.tensor([1e-300, 2], { dtype: 'float64' })],
      ['c', torch.tensor([-(2 ** 53) + 1, 7])],
      ['d', torch.tensor([0, 255, 9], { dtype: 'uint8' })],
      ['e', torch.zeros([0, 3])],
    ];
    const bytes = Buffer.concat(encodeSafetensors(tensors));
    const n = Number(bytes.readBigUInt64LE(0));
    assert.equal(n % 8, 0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString()) as Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
    assert.deepEqual(Object.keys(header), ['__metadata__', 'a.weight', 'b', 'c', 'd', 'e']);
    assert.deepEqual(header['c'], { dtype: 'I64', shape: [2], data_offsets: [32, 48] });
    const back = decodeSafetensors(bytes);
    for (const [k, t] of tensors) {
      const b = back.get(k) as torch.Tensor;
      assert.equal(b.dtype, t.dtype, k);
      assert.deepEqual(b.tolist(), t.tolist(), k);
    }
  });

  it('reads F16 and BF16 as float32 values', () => {
    const sd = readSafetensorsFile(fx('torch-half.safetensors'));
    const want = JSON.parse(fs.readFileSync(fx('torch-half.json'), 'utf8')) as Record<string, unknown>;
    for (const k of ['h', 'b']) {
      assert.equal(sd.get(k)?.dtype, 'float32');
      assert.deepEqual(sd.get(k)?.tolist(), want[k], k);
    }
  });

  it('validates the header before reading any tensor', () => {
    const t = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
    const cases: [Uint8Array, RegExp][] = [
      [Uint8Array.of(1, 2, 3), /too short to be a safetensors file/],
      [file({ a: t }, 8).subarray(0, 20), /header length \d+ runs past the end of the file/],
      [(() => { const f = file({ a: t }, 8); f[8] = 0x7b; f[9] = 0x7b; return f; })(), /header is not valid JSON/],
      [file([1, 2], 0), /header must be a JSON object/],
      [file({ a: t }, 4), /tensor "a": data_offsets \[0, 8\] run past the end of the data \(4 bytes\): the file is truncated/],
      [file({ a: { ...t, shape: [3] } }, 8), /tensor "a": F32 of shape \[3\] needs 12 bytes, data_offsets \[0, 8\] hold 8/],
      [file({ a: t, b: { ...t, data_offsets: [4, 12] } }, 12), /tensor "b" overlaps the tensor before it/],
      [file({ a: t, b: { ...t, data_offsets: [12, 20] } }, 20), /4 bytes of data before tensor "b" belong to no tensor/],
      [file({ a: t }, 12), /the last 4 bytes of data belong to no tensor/],
      [file({ a: { ...t, dtype: 'C64' } }, 8), /tensor "a": dtype "C64" is not supported/],
      [file({ a: { ...t, shape: [-2] } }, 8), /tensor "a": shape must be a list of non-negative integers/],
      [file({ a: { ...t, data_offsets: [8, 0] } }, 8), /data_offsets \[8, 0\] end before they begin/],
      [file({ __metadata__: { format: 1 } }, 0), /__metadata__.format must be a string/],
    ];
    for (const [bytes, re] of cases) assert.throws(() => decodeSafetensors(bytes, 'w.safetensors'), (e: Error) => e.message.startsWith('w.safetensors: ') && re.test(e.message), String(re));
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    assert.throws(() => decodeSafetensors(huge, 'h'), /h: header length 1099511627776 is larger than the 100000000-byte limit/);
  });

  it('SafetensorsFile reads the header, then one tensor at a time; writes replace the file whole', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-st-'));
    try {
      const p = path.join(dir, 'w.safetensors');
      writeSafetensorsFile(p, buildModel(seedSpec()).stateDict());
      const f = SafetensorsFile.open(p);
      assert.deepEqual(f.names, ['W1.weight', 'W1.bias', 'W2.weight', 'W2.bias']);
      assert.deepEqual(f.entry('W2.weight').shape, [10, 64]);
      assert.equal(String(f.readTensor('W2.bias').shape), 'torch.Size([10])');
      assert.throws(() => f.readTensor('W3.bias'), /no tensor named "W3.bias"/);
      f.close();
      assert.deepEqual(fs.readdirSync(dir), ['w.safetensors']);
      fs.truncateSync(p, fs.statSync(p).size - 1);
      assert.throws(() => SafetensorsFile.open(p), /tensor "W2.bias": data_offsets \[\d+, \d+\] run past the end of the data/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
