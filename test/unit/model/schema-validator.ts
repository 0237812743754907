/**
 * A small JSON Schema draft-07 validator for the keywords nn.schema.json uses (and a few more), so the tests
 * need no extra dependency. Unknown keywords fail loudly, so the schema cannot silently use one we don't check.
 */
export type Schema = boolean | { [k: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'markdownDescription', 'default', 'enumDescriptions', 'markdownEnumDescriptions', 'defaultSnippets', 'examples', 'definitions', '$comment']);
const HANDLED = new Set([
  'type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern',
  'if', 'then', 'else', 'allOf', 'anyOf', 'oneOf', 'not', '$ref',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function isType(v: unknown, t: string): boolean {
  switch (t) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    default:
      return typeOf(v) === t;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class Validator {
  constructor(private readonly root: { [k: string]: unknown }) {}

  private resolve(ref: string): Schema {
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
    let cur: unknown = this.root;
    for (const part of ref.slice(2).split('/')) cur = (cur as Record<string, unknown>)[part];
    if (cur === undefined) throw new Error(`dangling $ref ${ref}`);
    return cur as Schema;
  }

  /** Error messages (`path: what`), empty when `value` is valid. */
  validate(value: unknown, schema: Schema = this.root, path = '$'): string[] {
    if (schema === true) return [];
    if (schema === false) return [`${path}: not allowed`];
    const s = schema as Record<string, unknown>;
    const errs: string[] = [];
    for (const k of Object.keys(s)) if (!HANDLED.has(k) && !ANNOTATIONS.has(k)) throw new Error(`schema keyword "${k}" at ${path} is not supported by the test validator`);
    if (typeof s.$ref === 'string') errs.push(...this.validate(value, this.resolve(s.$ref), path));
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => isType(value, t))) return [...errs, `${path}: expected ${types.join(' or ')}, got ${typeOf(value)}`];
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, value))) errs.push(`${path}: not one of ${JSON.stringify(s.enum)}`);
    if ('const' in s && !deepEqual(s.const, value)) errs.push(`${path}: not ${JSON.stringify(s.const)}`);
    if (typeof value === 'number') {
      if (typeof s.minimum === 'number' && value < s.minimum) errs.push(`${path}: below ${s.minimum}`);
      if (typeof s.maximum === 'number' && value > s.maximum) errs.push(`${path}: above ${s.maximum}`);
      if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) errs.push(`${path}: not above ${s.exclusiveMinimum}`);
      if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) errs.push(`${path}: not below ${s.exclusiveMaximum}`);
    }
    if (typeof value === 'string') {
      if (typeof s.minLength === 'number' && value.length < s.minLength) errs.push(`${path}: shorter than ${s.minLength}`);
      if (typeof s.maxLength === 'number' && value.length > s.maxLength) errs.push(`${path}: longer than ${s.maxLength}`);
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) errs.push(`${path}: does not match ${s.pattern}`);
    }
    if (Array.isArray(value)) {
      if (typeof s.minItems === 'number' && value.length < s.minItems) errs.push(`${path}: fewer than ${s.minItems} items`);
      if (typeof s.maxItems === 'number' && value.length > s.maxItems) errs.push(`${path}: more than ${s.maxItems} items`);
      if (s.items !== undefined) value.forEach((v, i) => errs.push(...this.validate(v, s.items as Schema, `${path}[${i}]`)));
    }
    if (typeOf(value) === 'object') {
      const o = value as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const r of (s.required ?? []) as string[]) if (!(r in o)) errs.push(`${path}: missing "${r}"`);
      for (const [k, v] of Object.entries(o)) {
        if (k in props) errs.push(...this.validate(v, props[k], `${path}.${k}`));
        else if (s.additionalProperties !== undefined) errs.push(...this.validate(v, s.additionalProperties as Schema, `${path}.${k}`).map((e) => (s.additionalProperties === false ? `${path}: unknown property "${k}"` : e)));
      }
    }
    for (const sub of (s.allOf ?? []) as Schema[]) errs.push(...this.validate(value, sub, path));
    if (Array.isArray(s.anyOf) && !s.anyOf.some((sub: Schema) => this.validate(value, sub, path).length === 0)) errs.push(`${path}: matches none of anyOf`);
    if (Array.isArray(s.oneOf) && s.oneOf.filter((sub: Schema) => this.validate(value, sub, path).length === 0).length !== 1) errs.push(`${path}: does not match exactly one of oneOf`);
    if (s.not !== undefined && this.validate(value, s.not as Schema, path).length === 0) errs.push(`${path}: matches a forbidden schema`);
    if (s.if !== undefined) {
      const ok = this.validate(value, s.if as Schema, path).length === 0;
      const branch = ok ? s.then : s.else;
      if (branch !== undefined) errs.push(...this.validate(value, branch as Schema, path));
    }
    return errs;
  }
}
