/** The values an inspector expression can produce, and their Python repr (what PyTorch would print). */
import { Tensor } from '../tensor';
import { Size } from '../shape';
import type { DType } from '../dtype';
import { Module } from '../nn/module';
import { Node as GradNode } from '../autograd';
import { pyRepr } from '../print';

/** A Python number: ints and floats print differently (`3` vs `3.0`). */
export class PyNum {
  constructor(readonly value: number, readonly isInt: boolean) {}
}

/** A Python list or tuple. */
export class Seq {
  constructor(readonly items: Value[], readonly tuple: boolean) {}
}

/** A callable (a builtin, a torch function, or a bound method). */
export class Fn {
  constructor(readonly name: string, readonly call: (args: Value[], kwargs: Map<string, Value>) => Value) {}
}

/** A module-like namespace (`torch`, `F`). */
export class Namespace {
  constructor(readonly name: string, readonly members: Record<string, Value>) {}
}

export class DTypeValue {
  constructor(readonly dtype: DType) {}
}

/** torch.return_types.max(values=..., indices=...) and friends. */
export class NamedTuple {
  constructor(readonly typeName: string, readonly fields: [string, Value][]) {}
}

/** An OrderedDict (state_dict()). */
export class OrderedDict {
  constructor(readonly entries: [string, Value][]) {}
}

export type Value =
  | Tensor | PyNum | boolean | null | string | Size | Seq | Module | Fn | Namespace | DTypeValue | NamedTuple
  | OrderedDict | GradNode;

export function typeName(v: Value): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (v instanceof Tensor) return v.isParameter ? 'Parameter' : 'Tensor';
  if (v instanceof PyNum) return v.isInt ? 'int' : 'float';
  if (v instanceof Size) return 'torch.Size';
  if (v instanceof Seq) return v.tuple ? 'tuple' : 'list';
  if (v instanceof Module) return v.typeName;
  if (v instanceof Fn) return 'builtin_function_or_method';
  if (v instanceof Namespace) return 'module';
  if (v instanceof DTypeValue) return 'torch.dtype';
  if (v instanceof NamedTuple) return v.typeName;
  if (v instanceof OrderedDict) return 'collections.OrderedDict';
  return v.name;
}

function pyStr(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Python's repr(v). */
export function repr(v: Value): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return pyStr(v);
  if (v instanceof Tensor) return v.toString();
  if (v instanceof PyNum) return v.isInt ? String(v.value) : pyRepr(v.value);
  if (v instanceof Size) return v.toString();
  if (v instanceof Seq) {
    const inner = v.items.map(repr).join(', ');
    if (!v.tuple) return `[${inner}]`;
    return v.items.length === 1 ? `(${inner},)` : `(${inner})`;
  }
  if (v instanceof Module) return v.toString();
  if (v instanceof Fn) return `<built-in method ${v.name}>`;
  if (v instanceof Namespace) return `<module '${v.name}'>`;
  if (v instanceof DTypeValue) return `torch.${v.dtype}`;
  if (v instanceof NamedTuple) return `${v.typeName}(\n${v.fields.map(([k, f]) => `${k}=${repr(f)}`).join(',\n')})`;
  if (v instanceof OrderedDict) return `OrderedDict([${v.entries.map(([k, f]) => `(${pyStr(k)}, ${repr(f)})`).join(', ')}])`;
  return `<${v.name} object>`;
}
