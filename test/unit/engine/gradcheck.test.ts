// Central-difference gradient checks in float64 for every differentiable op of the parity table, broadcasting
// cases included: the analytic gradient of sum(out * g) must match (f(x+h) - f(x-h)) / 2h.
import { strict as assert } from 'node:assert';
import * as torch from '../../../src/engine';
import { decode, fixture, Encoded } from './fixtures';
import { OPS, Params } from './op-table';

interface OpCase {
  name: string;
  op: string;
  params: Params;
  inputs: Encoded[];
  requires_grad: boolean[];
  grads?: unknown[];
}

const H = 1e-6;
const MAX_CHECKED = 40;

function scalarOf(op: string, inputs: torch.Tensor[], params: Params, g: torch.Tensor): number {
  return torch.noGrad(() => {
    const r = OPS[op](inputs, params);
    const out = r instanceof torch.Tensor ? r : r.values;
    const a = out.toArray();
    const b = g.toArray();
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  });
}

describe('gradcheck (float64 central differences)', () => {
  const gen = new torch.Generator(99);
  for (const c of fixture<OpCase[]>('ops.json')) {
    if (!c.grads) continue;
    it(c.name, () => {
      const inputs = c.inputs.map((e, i) => {
        const t = decode(e, e.dtype === 'float32' ? 'float64' : e.dtype);
        if (c.requires_grad[i]) t.requiresGrad = true;
        return t;
      });
      const r = OPS[c.op](inputs, c.params);
      const out = r instanceof torch.Tensor ? r : r.values;
      assert.equal(out.dtype, 'float64', 'float64 in, float64 out');
      const g = torch.randn(out.shape.slice(), { dtype: 'float64', generator: gen });
      out.backward(g);
      inputs.forEach((x, k) => {
        if (!x.requiresGrad) return;
        const analytic = (x.grad as torch.Tensor).toArray();
        const n = x.numel();
        const picks = n <= MAX_CHECKED ? [...Array(n).keys()] : Array.from({ length: MAX_CHECKED }, () => gen.randint(0, n));
        for (const i of picks) {
          const probe = inputs.map((t) => t.detach().clone());
          const base = probe[k].storage[i];
          probe[k].storage[i] = base + H;
          const fp = scalarOf(c.op, probe, c.params, g);
          probe[k].storage[i] = base - H;
          const fm = scalarOf(c.op, probe, c.params, g);
          const numeric = (fp - fm) / (2 * H);
          const tol = 1e-5 + 1e-4 * Math.abs(numeric);
          assert.ok(Math.abs(analytic[i] - numeric) <= tol, `input ${k} element ${i}: analytic ${analytic[i]} vs numeric ${numeric}`);
        }
      });
    });
  }
});
