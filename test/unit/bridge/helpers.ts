import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as torch from '../../../src/engine';
import { loadModelSpec } from '../../../src/model/load';
import type { ModelSpec } from '../../../src/model/spec';

export const ROOT = path.resolve(__dirname, '../../..');
export const FIX = path.join(ROOT, 'test/fixtures/bridge');
export const MEDIA = path.join(ROOT, 'media/mnist');
export const FIXTURE_MODELS = ['mlp-softmax', 'relu-logits', 'tanh-logsoftmax'] as const;

export function readSpec(file: string): ModelSpec {
  return loadModelSpec(fs.readFileSync(file, 'utf8'), file);
}

export function fixtureSpec(name: string): ModelSpec {
  return readSpec(path.join(FIX, 'models', `${name}.nn.json`));
}

/** Largest |a - b| over two tensors of the same shape. */
export function maxAbsDiff(a: torch.Tensor, b: torch.Tensor): number {
  assert.deepEqual([...a.shape], [...b.shape]);
  const x = a.toArray();
  const y = b.toArray();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
