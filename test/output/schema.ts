// A small validator for the subset of JSON Schema used by docs/json.schema.json:
// type (single or list, incl. integer/null), enum, required, properties, additionalProperties: false,
// items, minimum, maximum, $ref to #/$defs/NAME. Returns a list of error paths (empty = valid).
import { readFileSync } from 'node:fs';

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean;
  items?: Schema;
  minimum?: number;
  maximum?: number;
  $ref?: string;
  $defs?: Record<string, Schema>;
};

const SUPPORTED = new Set(['$schema', '$id', 'title', 'description', 'type', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'minimum', 'maximum', '$ref', '$defs']);

function typeOf(v: unknown): string[] {
  if (v === null) return ['null'];
  if (Array.isArray(v)) return ['array'];
  if (typeof v === 'number') return Number.isInteger(v) ? ['integer', 'number'] : ['number'];
  return [typeof v];
}

export function loadSchema(): Schema {
  return JSON.parse(readFileSync(new URL('../../docs/json.schema.json', import.meta.url), 'utf8')) as Schema;
}

/** throws when the schema uses a keyword this validator does not implement */
export function checkSupported(s: Schema, path = '#'): void {
  for (const k of Object.keys(s)) if (!SUPPORTED.has(k)) throw new Error(`schema keyword ${k} at ${path} not supported by the test validator`);
  for (const [k, sub] of Object.entries(s.properties ?? {})) checkSupported(sub, `${path}/properties/${k}`);
  for (const [k, sub] of Object.entries(s.$defs ?? {})) checkSupported(sub, `${path}/$defs/${k}`);
  if (s.items) checkSupported(s.items, `${path}/items`);
}

export function validate(value: unknown, schema: Schema, root: Schema = schema, path = '$'): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/$defs/', '');
    const target = root.$defs?.[name];
    if (!target) return [`${path}: unresolved $ref ${schema.$ref}`];
    return validate(value, target, root, path);
  }
  const errs: string[] = [];
  if (schema.type) {
    const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!typeOf(value).some((t) => allowed.includes(t))) return [`${path}: type ${typeOf(value)[0]} not in ${allowed.join('|')}`];
  }
  if (schema.enum && !schema.enum.includes(value as never)) errs.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errs.push(`${path}: ${value} < ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errs.push(`${path}: ${value} > ${schema.maximum}`);
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) errs.push(`${path}: missing ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k];
      if (sub) errs.push(...validate(v, sub, root, `${path}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${path}: unexpected property ${k}`);
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errs.push(...validate(v, schema.items!, root, `${path}[${i}]`)));
  return errs;
}
