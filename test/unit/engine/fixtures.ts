// Loading the PyTorch fixtures written by scripts/make_fixtures.py.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strict as assert } from 'node:assert';
import * as torch from '../../../src/engine';

export interface Encoded {
  shape: number[];
  dtype: torch.DType;
  data: (number | string)[];
}

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'engine', name), 'utf8')) as T;
}

function num(v: number | string): number {
  if (typeof v === 'number') return v;
  return v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity;
}

/** A tensor from its encoding; float32 values are rounded exactly as PyTorch stored them. */
export function decode(e: Encoded, dtype: torch.DType = e.dtype): torch.Tensor {
  const s = dtype === 'float32' ? new Float32Array(e.data.length) : new Float64Array(e.data.length);
  e.data.forEach((v, i) => (s[i] = num(v)));
  return new torch.Tensor(s, e.shape, dtype);
}

/** Values and shape agree within atol + rtol·|expected| (NaN matches NaN). */
export function assertClose(actual: torch.Tensor, expected: Encoded, what: string, atol = 1e-5, rtol = 1e-4): void {
  assert.deepEqual(actual.shape.slice(), expected.shape, `${what}: shape`);
  const a = actual.toArray();
  expected.data.forEach((ev, i) => {
    const e = num(ev);
    const v = a[i];
    if (Number.isNaN(e)) assert.ok(Number.isNaN(v), `${what}[${i}]: expected nan, got ${v}`);
    else if (!Number.isFinite(e)) assert.equal(v, e, `${what}[${i}]`);
    else assert.ok(Math.abs(v - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: expected ${e}, got ${v} (|diff| ${Math.abs(v - e)})`);
  });
}
