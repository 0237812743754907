/**
 * The checking primitives of the pages' message validators (./validate.ts for the visualizer,
 * ./weights/validate.ts for the weight-file editor): each returns the value it checked or throws `Invalid` with
 * the path of the first bad field and what it held. Pure: no DOM.
 */
import { isBinary } from './tensor';

export class Invalid extends Error {}

export type Rec = Record<string, unknown>;

export function fail(path: string, what: string, got: unknown): never {
  let shown: string;
  try {
    shown = isBinary(got) ? `${got.constructor.name}(${got.byteLength} bytes)` : JSON.stringify(got) ?? String(got);
  } catch {
    shown = String(got);
  }
  if (shown.length > 60) shown = `${shown.slice(0, 57)}...`;
  throw new Invalid(`${path}: expected ${what}, got ${shown}`);
}

export function obj(v: unknown, path: string): Rec {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || isBinary(v)) fail(path, 'an object', v);
  return v as Rec;
}
export function str(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'a string', v);
  return v;
}
export function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'a boolean', v);
  return v;
}
export function arr<T>(v: unknown, path: string, each: (x: unknown, p: string) => T): T[] {
  if (!Array.isArray(v)) fail(path, 'an array', v);
  return v.map((x, i) => each(x, `${path}[${i}]`));
}
export function opt<T>(v: unknown, path: string, check: (x: unknown, p: string) => T): T | undefined {
  return v === undefined ? undefined : check(v, path);
}
export function nullable<T>(v: unknown, path: string, check: (x: unknown, p: string) => T): T | null {
  return v === null ? null : check(v, path);
}
export function oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !options.includes(v as T)) fail(path, `one of ${options.join('|')}`, v);
  return v as T;
}
