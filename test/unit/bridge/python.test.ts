/**
 * The exported module in real PyTorch: where /usr/bin/python3 can `import torch`, export each fixture model with
 * fresh weights, run the module in Python on the same inputs, and require the softmax outputs of our engine to
 * 1e-5. Elsewhere the suite is skipped with a notice (the committed fixtures of parity.test.ts still run).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '../../../src/engine';
import { readNpyFile, writeNpyFile } from '../../../src/data/npy';
import { readSafetensorsFile } from '../../../src/data/safetensors';
import { buildModel } from '../../../src/model/build';
import { exportToPyTorch, writePyTorchExport } from '../../../src/bridge/export';
import { decodeNpz } from '../../../src/bridge/npz';
import { predictProbabilities } from '../../../src/bridge/predict';
import { testSample } from '../../../src/bridge/sample';
import { expectedParameters } from '../../../src/bridge/statedict';
import { FIX, FIXTURE_MODELS, MEDIA, fixtureSpec, maxAbsDiff, tmpDir } from './helpers';

/** NNLENS_PYTHON points the test at another interpreter (or a missing one, to see the skip). */
const PYTHON = process.env.NNLENS_PYTHON ?? '/usr/bin/python3';

function pythonWithTorch(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0) return null;
  const why = (r.stderr || r.error?.message || '').trim().split('\n').pop() || `exit code ${r.status}`;
  return `${PYTHON} cannot import torch (${why})`;
}

// Runs each exported module: load_model() on x, build_model() after manual_seed, model[:-1], the state_dict keys.
const RUNNER = `
import importlib.util, json, sys
import numpy as np
import torch

out = {}
for name, seed, shape in json.loads(sys.argv[1]):
    spec = importlib.util.spec_from_file_location(name, f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    model = mod.load_model()
    x = torch.from_numpy(np.load("x.npy")).reshape(-1, *shape)
    with torch.no_grad():
        y = model(x)
        logits = model[:-1](x)
        flat = model(torch.from_numpy(np.load("x.npy")))  # always [B, 784]
    np.save(f"{name}-y.npy", y.numpy())
    torch.manual_seed(seed)
    fresh = mod.build_model()
    np.savez(f"{name}-init.npz", **{k: v.detach().numpy() for k, v in fresh.state_dict().items()})
    out[name] = {
        "keys": list(model.state_dict().keys()),
        "print": str(model),
        "training": model.training,
        "head": type(model[-1]).__name__,
        "flat_diff": float((flat - y).abs().max()),
        "logits_softmax_diff": float((torch.softmax(logits, -1) - y).abs().max()) if type(model[-1]).__name__ == "Softmax" else None,
    }

# __main__ of one module, as \`python main_check.py\` runs it.
import contextlib, io, runpy
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    runpy.run_path("main_check.py", run_name="__main__")
main_out = buf.getvalue()

# The minimal reader on a truncated file.
spec = importlib.util.spec_from_file_location("main_check", "main_check.py")
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
try:
    mod.load_model("truncated.safetensors")
    truncated = None
except Exception as e:
    truncated = f"{type(e).__name__}: {e}"
print(json.dumps({"models": out, "main": main_out, "truncated": truncated}))
`;

interface RunnerOut {
  keys: string[];
  print: string;
  training: boolean;
  head: string;
  flat_diff: number;
  logits_softmax_diff: number | null;
}

interface Results {
  models: Record<string, RunnerOut>;
  main: string;
  truncated: string | null;
}

describe(`bridge: the exported module in PyTorch (${PYTHON})`, function () {
  this.timeout(300_000);
  let dir: string;
  let res: Results;
  const ours = new Map<string, torch.Tensor>();
  const sample = testSample(MEDIA, 0, 'the embedded MNIST subset');
  const mainSpec = fixtureSpec('mlp-softmax');
  const mainModel = buildModel(mainSpec);

  // One Python process does it all (importing torch takes seconds): the modules are written first.
  before(function () {
    const why = pythonWithTorch();
    if (why) {
      console.log(`      [skipped] PyTorch parity of the exported module: ${why}; test/fixtures/bridge still checks it without Python`);
      this.skip();
    }
    dir = tmpDir('nnlens-export-py-');
    const x = readNpyFile(path.join(FIX, 'x.npy'));
    writeNpyFile(path.join(dir, 'x.npy'), x);
    const runs: [string, number, number[]][] = [];
    for (const name of FIXTURE_MODELS) {
      const spec = fixtureSpec(name);
      // Fresh weights that are not the init the seed gives, so the loading is what is tested.
      const model = buildModel(spec, new torch.Generator(1234));
      const mod = name.replace(/-/g, '_');
      writePyTorchExport(dir, exportToPyTorch(spec, model.stateDict(), { moduleName: mod, source: `${name}.nn.json`, sample: testSample(MEDIA, 1, 'the embedded MNIST subset') }));
      ours.set(mod, predictProbabilities(spec, model, x.reshape([8, ...spec.input.shape])));
      runs.push([mod, spec.init.seed, spec.input.shape]);
    }
    mainModel.loadStateDict(readSafetensorsFile(path.join(FIX, 'export', 'mlp_softmax.safetensors')));
    const main = writePyTorchExport(dir, exportToPyTorch(mainSpec, mainModel.stateDict(), { moduleName: 'main_check', sample }));
    fs.writeFileSync(path.join(dir, 'truncated.safetensors'), fs.readFileSync(main.weights).subarray(0, 40));
    const r = spawnSync(PYTHON, ['-c', RUNNER, JSON.stringify(runs)], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
    assert.equal(r.status, 0, r.stderr);
    res = JSON.parse(r.stdout) as Results;
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('load_model() returns what our predictions return, to 1e-5, on real digits and random inputs', () => {
    for (const name of FIXTURE_MODELS) {
      const spec = fixtureSpec(name);
      const mod = name.replace(/-/g, '_');
      const o = res.models[mod];
      const d = maxAbsDiff(ours.get(mod) as torch.Tensor, readNpyFile(path.join(dir, `${mod}-y.npy`)));
      assert.ok(d <= 1e-5, `${name}: largest difference ${d}`);
      assert.deepEqual(o.keys, expectedParameters(spec).map((p) => p.key), `${name}: state_dict keys`);
      assert.equal(o.training, false, `${name}: load_model() must return the model in eval mode`);
      assert.equal(o.head, 'Softmax');
      assert.equal(o.flat_diff, 0, `${name}: a [B, 784] float tensor gives the same output`);
      // The docstring's advice: model[:-1] gives what the final Softmax turns into the probabilities.
      if (spec.layers[spec.layers.length - 1].type !== 'LogSoftmax') assert.ok((o.logits_softmax_diff ?? 1) < 1e-6, `${name}: model[:-1]`);
    }
  });

  it('print(model) is our engine\'s print of the same model (plus the appended Softmax)', () => {
    for (const name of FIXTURE_MODELS) {
      const spec = fixtureSpec(name);
      const engine = buildModel(spec).toString();
      const expected = spec.layers[spec.layers.length - 1].type === 'Softmax' ? engine : engine.replace(/\n\)$/, '\n  (probs): Softmax(dim=-1)\n)');
      assert.equal(res.models[name.replace(/-/g, '_')].print, expected, name);
    }
  });

  it('with torch.manual_seed(init.seed), build_model() starts from the weights NN Lens builds', () => {
    let checked = 0;
    for (const name of FIXTURE_MODELS) {
      const spec = fixtureSpec(name);
      if (spec.init.scheme !== 'pytorch') continue;
      const init = decodeNpz(fs.readFileSync(path.join(dir, `${name.replace(/-/g, '_')}-init.npz`)));
      for (const [k, t] of buildModel(spec).stateDict()) assert.equal(maxAbsDiff(t, init.get(k) as torch.Tensor), 0, `${name}: initial ${k}`);
      checked++;
    }
    assert.equal(checked, 2);
  });

  it('python NAME.py prints the model, its probabilities and the prediction for the embedded test image', () => {
    const x = torch.fromStorage(Float32Array.from(sample.pixels, (v) => v / 255), [1, 784], 'float32');
    const probs = predictProbabilities(mainSpec, mainModel, x).toArray();
    const best = probs.indexOf(Math.max(...probs));
    assert.ok(res.main.startsWith(`${mainModel.toString()}\ntensor([[`), res.main);
    const m = /predicted: (\d) \(probability ([0-9.]+)\), true: (\d)/.exec(res.main);
    assert.ok(m, res.main);
    assert.equal(Number(m[1]), best);
    assert.ok(Math.abs(Number(m[2]) - probs[best]) <= 5e-5);
    assert.equal(Number(m[3]), sample.label);
  });

  it('the minimal reader refuses a truncated weights file with a message naming it', () => {
    assert.match(res.truncated ?? '', /^ValueError: truncated\.safetensors: header length \d+ runs past the end of the file \(40 bytes\)$/);
  });
});
