/** Random engine tensors of every dtype the file formats hold, for the round-trip fuzzers. */
import fc from 'fast-check';
import * as torch from '../../../src/engine';

export type FileTensorDType = 'float32' | 'float64' | 'int64' | 'uint8' | 'bool';

function values(dtype: FileTensorDType, n: number): fc.Arbitrary<number[]> {
  const v: fc.Arbitrary<number> =
    dtype === 'float32' ? fc.float({ noDefaultInfinity: false }).map((x) => Math.fround(x))
    : dtype === 'float64' ? fc.double()
    : dtype === 'int64' ? fc.maxSafeInteger()
    : dtype === 'uint8' ? fc.integer({ min: 0, max: 255 })
    : fc.integer({ min: 0, max: 1 });
  return fc.array(v, { minLength: n, maxLength: n });
}

export const shapeArb: fc.Arbitrary<number[]> = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 });

export const tensorArb: fc.Arbitrary<torch.Tensor> = fc
  .record({ dtype: fc.constantFrom<FileTensorDType>('float32', 'float64', 'int64', 'uint8', 'bool'), shape: shapeArb })
  .chain(({ dtype, shape }) =>
    values(dtype, shape.reduce((a, b) => a * b, 1)).map((vs) => torch.fromStorage(dtype === 'float32' ? Float32Array.from(vs) : Float64Array.from(vs), shape, dtype)),
  );

/** Same dtype, shape and values (NaN equal to NaN, -0 to -0). */
export function sameTensor(a: torch.Tensor, b: torch.Tensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = a.toArray();
  const y = b.toArray();
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

/** The dtypes whose values must be integers (a NaN there would be a read past the data). */
export const INTEGRAL = new Set<string>(['int64', 'uint8', 'bool']);
