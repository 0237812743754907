/**
 * A model above the configured limits (parameters, layers, training memory) is refused with a diagnostic before
 * anything is allocated: by the analysis the editor runs, by loadModelSpec, and by `nnlens train`. An allocation
 * spy records every buffer asked for meanwhile: none grows with the sizes the file claims.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import { DataLoader } from '../../../src/data/loader';
import { analyzeModel } from '../../../src/model/analyze';
import { buildModel } from '../../../src/model/build';
import { DEFAULT_LIMITS } from '../../../src/model/limits';
import { loadModelSpec } from '../../../src/model/load';
import { trackAllocations, trackAllocationsAsync } from '../fuzz/alloc-spy';

const ROOT = path.resolve(__dirname, '../../..');

function model(layers: object[], train: object = {}): string {
  return JSON.stringify({ name: 'big', input: { shape: [784], dataset: 'mnist' }, layers, train: { batchSize: 10, optimizer: { type: 'sgd', lr: 0.1 }, ...train } }, null, 2);
}

/** No buffer larger than this while a refused model is analysed (the text itself is a few hundred bytes). */
const SMALL = 1 << 20;

describe('models above the limits are refused before anything is allocated', () => {
  const cases: { what: string; text: string; limits?: object; code: string; message: RegExp }[] = [
    {
      what: 'parameters (784 → 100,000 → 10: 79 million, default limit 10 million)',
      text: model([{ name: 'W1', type: 'Linear', in: 784, out: 100_000 }, { type: 'ReLU' }, { name: 'W2', type: 'Linear', out: 10 }]),
      code: 'too-many-parameters',
      message: /^The model has 79,?500,?010 parameters, more than the limit of 10,?000,?000 .*: it is not built$/,
    },
    {
      what: 'parameters under a lower configured limit (the seed network, 50,890, with a limit of 10,000)',
      text: fs.readFileSync(path.join(ROOT, 'test/fixtures/data/seed.nn.json'), 'utf8'),
      limits: { maxParams: 10_000 },
      code: 'too-many-parameters',
      message: /^The model has 50,?890 parameters, more than the limit of 10,?000/,
    },
    {
      what: 'training memory (784 → 2,000 → 10 with a batch of 1,000,000)',
      text: model([{ type: 'Linear', out: 2000 }, { type: 'ReLU' }, { type: 'Linear', out: 10 }], { batchSize: 1_000_000 }),
      code: 'too-much-memory',
      message: /^Training this model would allocate about .* GiB .* more than the limit of 1(\.0)? GiB: it is not built$/,
    },
    {
      what: 'layers (300 ReLUs, default limit 256)',
      text: model([{ type: 'Linear', out: 10 }, ...Array.from({ length: 300 }, () => ({ type: 'ReLU' }))]),
      code: 'too-many-layers',
      message: /256/,
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const r = trackAllocations(() => analyzeModel(c.text, { limits: c.limits }));
      assert.equal(r.error, undefined);
      const a = r.result;
      assert.ok(a);
      assert.equal(a.spec, null, 'no spec: nothing can be built');
      const d = a.diagnostics.find((x) => x.code === c.code);
      assert.ok(d, `a ${c.code} diagnostic: ${a.diagnostics.map((x) => `${x.code}: ${x.message}`).join('\n')}`);
      assert.equal(d.severity, 'error');
      assert.match(d.message, c.message);
      assert.ok(r.largest < SMALL, `the analysis asked for a ${r.largest}-byte buffer`);
      assert.throws(() => loadModelSpec(c.text, 'big.nn.json', { limits: c.limits }), (e: Error) => /^big\.nn\.json:\d+:\d+: /.test(e.message) && e.message.includes(d.message));
    });
  }

  it('(the spy sees what building an accepted model allocates: 784 → 2,000 → 10 asks for its 6.3 MB weight)', () => {
    const spec = loadModelSpec(model([{ type: 'Linear', out: 2000 }, { type: 'ReLU' }, { type: 'Linear', out: 10 }]), 'ok.nn.json');
    const r = trackAllocations(() => buildModel(spec));
    assert.equal(r.largest, 784 * 2000 * 4);
  });

  it('a batch size past the dataset (nnlens train --batch-size 2000000000) allocates only the data there is', async () => {
    const ds = { name: 'tiny', count: 10, rows: 28, cols: 28, images: new Uint8Array(10 * 784), labels: new Uint8Array(10), classNames: ['a', 'b'] };
    const r = trackAllocations(() => [...new DataLoader(ds, { batchSize: 2_000_000_000 })].map((b) => b.size));
    assert.deepEqual(r.result, [10]);
    assert.ok(r.largest <= 10 * 784 * 4, `${r.largest} bytes`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-limits-'));
    try {
      fs.copyFileSync(path.join(ROOT, 'test/fixtures/data/seed.nn.json'), path.join(dir, 'seed.nn.json'));
      let out = '';
      const io: CliIO = { out: (t) => (out += t), err: () => undefined, isTTY: false, columns: 100, cwd: dir, home: path.join(ROOT, 'src/cli') };
      assert.equal(await runCli(['train', 'seed.nn.json', '--batch-size', '2000000000', '--steps', '1', '--json'], io), 0);
      assert.equal((JSON.parse(out.trim().split('\n')[0]) as { stepsPerEpoch: number }).stepsPerEpoch, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the defaults are the documented ones', () => {
    assert.deepEqual(DEFAULT_LIMITS, { maxParams: 10_000_000, maxLayers: 256, maxBytes: 1024 ** 3, maxTextLength: 256 * 1024 });
  });

  it('nnlens train refuses it with exit 1 and the diagnostic, allocating nothing large', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnlens-limits-'));
    try {
      fs.writeFileSync(path.join(dir, 'big.nn.json'), cases[0].text);
      let out = '';
      let err = '';
      const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), isTTY: false, columns: 100, cwd: dir, home: path.join(ROOT, 'src/cli') };
      const r = await trackAllocationsAsync(() => runCli(['train', 'big.nn.json'], io));
      assert.equal(r.result, 1);
      assert.equal(out, '');
      assert.match(err, /^nnlens train: error: .*big\.nn\.json:\d+:\d+: The model has 79,?500,?010 parameters, more than the limit of 10,?000,?000/);
      assert.ok(r.largest < SMALL, `nnlens train asked for a ${r.largest}-byte buffer`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
