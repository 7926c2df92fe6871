/**
 * A small JSON path for searching message bodies: `$` then member and index steps, as in
 * `$.order.customer.id`, `$.items[0].sku` or `$['odd key'].x`. No wildcards, filters, slices or
 * scripts: a path names at most one value, and it is read by walking own properties only, so a
 * path can neither run code nor reach an object's prototype. A malformed path is refused with a
 * WarrenError `invalid_argument` that says where it went wrong.
 */
import { WarrenError } from '@warren/protocol';

export type JsonPath = readonly (string | number)[];

const MAX_JSON_PATH_LENGTH = 255;
const MAX_JSON_PATH_STEPS = 32;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*/;
const INDEX = /^(0|[1-9][0-9]{0,8})\]/;

export function parseJsonPath(text: string): JsonPath {
  const fail = (at: number, why: string): never => {
    throw new WarrenError('invalid_argument', `json_path '${text}' at character ${at + 1}: ${why}`);
  };
  if (text.length > MAX_JSON_PATH_LENGTH) throw new WarrenError('invalid_argument', `json_path is longer than ${MAX_JSON_PATH_LENGTH} characters`);
  if (!text.startsWith('$')) fail(0, "a path starts with '$'");
  const steps: (string | number)[] = [];
  let at = 1;
  while (at < text.length) {
    if (steps.length === MAX_JSON_PATH_STEPS) fail(at, `a path has at most ${MAX_JSON_PATH_STEPS} steps`);
    const rest = text.slice(at);
    if (rest.startsWith('.')) {
      const name = IDENTIFIER.exec(rest.slice(1))?.[0];
      if (name === undefined) fail(at + 1, "expected a member name after '.' (use ['…'] for other names)");
      steps.push(name as string);
      at += 1 + (name as string).length;
    } else if (rest.startsWith("['") || rest.startsWith('["')) {
      const { value, length } = quoted(rest.slice(1), (offset, why) => fail(at + 1 + offset, why));
      if (rest[1 + length] !== ']') fail(at + 1 + length, "expected ']' after the quoted name");
      steps.push(value);
      at += length + 2;
    } else if (rest.startsWith('[')) {
      const digits = INDEX.exec(rest.slice(1))?.[1];
      if (digits === undefined) fail(at + 1, "expected an array index (0, 1, …) or a quoted name inside '[ ]'");
      steps.push(Number(digits));
      at += (digits as string).length + 2;
    } else {
      fail(at, "expected '.', '[' or the end of the path");
    }
  }
  return steps;
}

/** The value the path names in `root`, or undefined when it names nothing. */
export function valueAtPath(root: unknown, path: JsonPath): unknown {
  let value = root;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(value) || step >= value.length) return undefined;
      value = value[step];
    } else {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, step)) return undefined;
      value = (value as Record<string, unknown>)[step];
    }
  }
  return value;
}

/** A quoted name at the start of `text`: its value and how many characters it took, quotes included. */
function quoted(text: string, fail: (offset: number, why: string) => never): { value: string; length: number } {
  const quote = text[0];
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const char = text[i] as string;
    if (char === quote) return { value, length: i + 1 };
    if (char === '\\') {
      const next = text[i + 1];
      if (next !== quote && next !== '\\') fail(i, `only \\${quote} and \\\\ are escapes`);
      value += next;
      i++;
    } else {
      value += char;
    }
  }
  return fail(text.length, 'the quoted name is not closed');
}
