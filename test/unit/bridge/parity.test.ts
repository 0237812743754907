/**
 * PyTorch parity without Python: test/fixtures/bridge/ holds modules our exporter wrote, the weights they load,
 * and the outputs PyTorch computed by running them (scripts/make_bridge_fixtures.py). Our engine must give the
 * same probabilities, and the exporter must still write exactly those modules.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpyFile } from '../../../src/data/npy';
import { readSafetensorsFile } from '../../../src/data/safetensors';
import { buildModel } from '../../../src/model/build';
import { exportToPyTorch } from '../../../src/bridge/export';
import { predictProbabilities } from '../../../src/bridge/predict';
import { testSample } from '../../../src/bridge/sample';
import { importFromPython } from '../../../src/bridge/import';
import { readStateDictFile } from '../../../src/bridge/read-weights';
import { matchStateDict } from '../../../src/bridge/statedict';
import { loadModelSpec } from '../../../src/model/load';
import { FIX, FIXTURE_MODELS, MEDIA, fixtureSpec, maxAbsDiff } from './helpers';

describe('bridge: PyTorch parity fixtures', () => {
  const x = readNpyFile(path.join(FIX, 'x.npy'));

  it('x.npy holds 8 inputs of 784 values in [0, 1]', () => {
    assert.deepEqual([...x.shape], [8, 784]);
    const v = x.toArray();
    assert.ok(v.every((a) => a >= 0 && a <= 1));
  });

  for (const name of FIXTURE_MODELS) {
    const mod = name.replace(/-/g, '_');
    it(`${name}: our predictions equal what PyTorch computed with the exported module (1e-5)`, () => {
      const spec = fixtureSpec(name);
      const model = buildModel(spec);
      model.loadStateDict(readSafetensorsFile(path.join(FIX, 'export', `${mod}.safetensors`)));
      const xs = x.reshape([8, ...spec.input.shape]);
      const ours = predictProbabilities(spec, model, xs);
      const theirs = readNpyFile(path.join(FIX, 'export', `${mod}-y.npy`));
      const d = maxAbsDiff(ours, theirs);
      assert.ok(d <= 1e-5, `${name}: largest difference ${d}`);
      // Real probabilities, not a constant: each row sums to 1 and the rows differ.
      const rows = ours.tolist() as number[][];
      for (const r of rows) assert.ok(Math.abs(r.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      assert.notDeepEqual(rows[0], rows[1]);
    });

    it(`${name}: the exporter still writes exactly the module PyTorch ran`, () => {
      const spec = fixtureSpec(name);
      const weights = readSafetensorsFile(path.join(FIX, 'export', `${mod}.safetensors`));
      const exp = exportToPyTorch(spec, weights, {
        moduleName: mod,
        source: `${name}.nn.json`,
        sample: testSample(MEDIA, 0, 'the embedded MNIST subset'),
      });
      const committed = fs.readFileSync(path.join(FIX, 'export', `${mod}.py`), 'utf8');
      assert.equal(exp.python, committed, 'the exporter changed: run /usr/bin/python3 scripts/make_bridge_fixtures.py');
      const bytes = Buffer.concat(exp.safetensors);
      assert.ok(bytes.equals(fs.readFileSync(path.join(FIX, 'export', `${mod}.safetensors`))), 'the exported weights differ byte for byte');
    });
  }

  it('from PyTorch: net.py imports, its PyTorch-trained state dict loads, and our predictions equal PyTorch\'s (1e-5)', () => {
    const r = importFromPython(fs.readFileSync(path.join(FIX, 'import', 'net.py'), 'utf8'), { fileName: 'net.py' });
    assert.deepEqual(r.problems, []);
    assert.ok(r.modelJson);
    const spec = loadModelSpec(r.modelJson, 'net.nn.json');
    assert.equal(spec.train.optimizer.lr, 0.5);
    assert.equal(spec.train.epochs, 2);
    for (const file of ['net.safetensors', 'net.npz', 'net-compressed.npz', 'net-dict.npy']) {
      const sd = readStateDictFile(path.join(FIX, 'import', file));
      const m = matchStateDict(spec, sd);
      assert.ok(m.ok, `${file}: ${JSON.stringify(m)}`);
      const model = buildModel(spec);
      model.loadStateDict(sd);
      const ours = predictProbabilities(spec, model, x.reshape([8, ...spec.input.shape]));
      const d = maxAbsDiff(ours, readNpyFile(path.join(FIX, 'import', 'net-y.npy')));
      assert.ok(d <= 1e-5, `${file}: largest difference ${d}`);
    }
  });
});
