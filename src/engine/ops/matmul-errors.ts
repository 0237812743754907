/** PyTorch's messages for products whose shapes do not fit, and a re-export that breaks an import cycle. */
import type { Tensor } from '../tensor';
import { formatShape } from '../shape';
export { add } from './elementwise';

export function matmulShapeError(a: Tensor, b: Tensor): RangeError {
  if (a.ndim === 1 && b.ndim === 1) {
    return new RangeError(
      `inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
    );
  }
  if (a.ndim === 2 && b.ndim === 1) {
    return new RangeError(`size mismatch, got ${a.shape[0]}, ${a.shape[0]}x${a.shape[1]},${b.shape[0]}`);
  }
  if (a.ndim <= 2 && b.ndim <= 2) {
    const m1 = a.ndim === 1 ? `1x${a.shape[0]}` : `${a.shape[0]}x${a.shape[1]}`;
    const m2 = b.ndim === 1 ? `${b.shape[0]}x1` : `${b.shape[0]}x${b.shape[1]}`;
    return new RangeError(`mat1 and mat2 shapes cannot be multiplied (${m1} and ${m2})`);
  }
  return new RangeError(
    `Expected size for first two dimensions of batch2 tensor to be: [${formatShape(a.shape)} @ ${formatShape(b.shape)}] but the inner dimensions do not match`,
  );
}
