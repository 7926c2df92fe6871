/**
 * Management API bodies: every schema in src/http/ compiled once, on first use, by the plugged-in
 * compiler (schema-compiler.ts; nothing is compiled at import), and the one way a body that fails becomes an error: WarrenError `invalid_argument` whose message
 * names the field, its value and why (the server answers it with HTTP 400). Which fields mean
 * what is each resource file's job; answering is the server's.
 */
import { WarrenError } from '../errors.js';
import { exceedsDepth, MAX_JSON_DEPTH } from '../json-depth.js';
import type { JsonSchema } from '../frames/schema.js';
import { compiledOnUse, type SchemaError } from '../schema-compiler.js';

/** Turns the path of a failing field (`['definition', 'max-length']`) into words. */
export type FieldNamer = (path: string[], body: unknown) => string;

/** Checks a parsed JSON body: returns it typed, or throws WarrenError `invalid_argument`. */
export type BodyParser<T> = (body: unknown) => T;

const defaultNamer: FieldNamer = (path) => `field '${path.join('.')}'`;

export function bodyParser<T>(schema: JsonSchema, name: FieldNamer = defaultNamer): BodyParser<T> {
  const validator = compiledOnUse(schema);
  return (body) => {
    if (exceedsDepth(body)) throw new WarrenError('invalid_argument', `the body may nest at most ${MAX_JSON_DEPTH} levels`);
    const validate = validator();
    if (validate(body)) return body as T;
    throw new WarrenError('invalid_argument', describeError(validate.errors?.[0], body, name));
  };
}

function describeError(error: SchemaError | undefined, body: unknown, name: FieldNamer): string {
  if (error === undefined) return 'is invalid';
  const path = error.instancePath === '' ? [] : error.instancePath.slice(1).split('/').map(unescapePointer);
  if (error.keyword === 'required') {
    return `${name([...path, String(error.params.missingProperty)], body)} is required`;
  }
  if (error.keyword === 'additionalProperties') {
    const key = String(error.params.additionalProperty);
    const known = Object.keys(propertiesAt(error.parentSchema)).join(', ');
    return `${name([...path, key], body)} = ${show(valueAt(body, [...path, key]))}: unknown key${known ? ` (known: ${known})` : ''}`;
  }
  const why =
    error.keyword === 'enum'
      ? `must be one of ${(error.params.allowedValues as unknown[]).map((v) => String(v)).join(', ')}`
      : error.keyword === 'type' && error.params.type === 'object'
        ? 'must be a JSON object'
        : (error.message ?? 'is invalid');
  if (path.length === 0) return `the body ${why}`;
  return `${name(path, body)} = ${show(valueAt(body, path))}: ${why}`;
}

function propertiesAt(schema: unknown): Record<string, unknown> {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ?? {};
}

export function valueAt(body: unknown, path: readonly string[]): unknown {
  let value = body;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function unescapePointer(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}
