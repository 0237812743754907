/** Model weights ↔ TensorPayload (float32 bytes in their own ArrayBuffer, ready to be transferred). */
import * as torch from '../engine';
import type { TensorPayload } from '../protocol';

/** Copies each parameter (state_dict order) into a fresh ArrayBuffer; `grads` copies the gradients instead. */
export function snapshotParameters(model: torch.nn.Module, grads = false): TensorPayload[] {
  const out: TensorPayload[] = [];
  for (const [name, p] of model.namedParameters()) {
    const src = grads ? p.grad : p;
    if (src === null) continue;
    const data = Float32Array.from(src.toArray());
    out.push({ name, shape: p.shape.slice(), data: data.buffer });
  }
  return out;
}

/** The buffers to pass as `transferList` with a message holding these payloads. */
export function transferables(payloads: readonly TensorPayload[]): ArrayBuffer[] {
  return payloads.map((p) => p.data);
}

/** Payloads → a state_dict map (validating each payload's byte length against its shape). */
export function payloadsToStateDict(payloads: readonly TensorPayload[]): Map<string, torch.Tensor> {
  const sd = new Map<string, torch.Tensor>();
  for (const p of payloads) {
    if (!Array.isArray(p.shape) || !p.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`weights "${p.name}": bad shape ${JSON.stringify(p.shape)}`);
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (!(p.data instanceof ArrayBuffer) || p.data.byteLength !== n * 4) {
      throw new Error(`weights "${p.name}": shape [${p.shape.join(', ')}] needs ${n * 4} bytes, got ${p.data instanceof ArrayBuffer ? p.data.byteLength : typeof p.data}`);
    }
    sd.set(p.name, torch.fromStorage(new Float32Array(p.data.slice(0)), p.shape, 'float32'));
  }
  return sd;
}
