/**
 * fast-check generators for client frames, driven by the frame schemas themselves
 * (CLIENT_FRAME_SCHEMAS), so a frame type added to the protocol is fuzzed without a change here.
 * `validFrame(type)` follows the schema; `fuzzedFrame(type)` starts from a valid frame and breaks
 * it: wrong types, missing and extra fields, boundary numbers, huge strings, nested junk, another
 * `type`, or JSON text no object can produce (duplicate keys, `__proto__`). `mutatedBytes` breaks
 * an encoded message byte by byte. What the server must do with them is session-bench.ts's job.
 */
import fc from 'fast-check';
import { CLIENT_FRAME_SCHEMAS, encodeFrame } from '@warren/protocol';

type Schema = Record<string, unknown>;
type Header = Record<string, unknown>;

/** Sizes of the largest junk: strings up to 70,000 characters, nesting up to 30,000 levels (60 KB). */
const LIMITS = { hugeString: 70_000, depth: 30_000 };

/** Per field, names of the objects every case starts with (session-bench.ts, WORLD) or that recur. */
const EXISTING: Record<string, string[]> = {
  queue: ['fz-q1', 'fz-q2'],
  exchange: ['fz-x1', 'fz-x2', '', 'amq.topic'],
  source: ['fz-x1', 'fz-x2', 'amq.topic'],
  destination: ['fz-x1', 'fz-x2', 'amq.fanout'],
  routing_key: ['fz-q1', 'fz-q2', 'fz.a.b', ''],
  consumer_tag: ['fz-c1', ''],
  name: ['fz-p1', 'fz-p2'],
  vhost: ['/'],
};
const NAMES = ['', 'amq.direct', 'amq.topic', 'amq.fanout', 'amq.headers', 'amq.gen-x', 'fz-q3', 'fz.a.b', '#', '*.b'];
const ARGUMENT_KEYS = [
  'x-message-ttl', 'x-expires', 'x-max-length', 'x-max-length-bytes', 'x-overflow', 'x-dead-letter-exchange',
  'x-dead-letter-routing-key', 'x-delivery-limit', 'x-max-priority', 'x-queue-type', 'x-queue-mode',
  'x-single-active-consumer', 'x-retry-delays', 'x-retry-initial-delay', 'x-retry-multiplier', 'x-retry-max-delay',
  'x-retry-jitter', 'x-retry-max-attempts', 'alternate-exchange', 'x-match',
];
const POLICY_KEYS = [
  'dead-letter-exchange', 'dead-letter-routing-key', 'message-ttl', 'expires', 'max-length', 'max-length-bytes', 'overflow',
  'delivery-limit', 'alternate-exchange', 'retry-delays', 'retry-initial-delay', 'retry-multiplier', 'retry-max-delay',
  'retry-jitter', 'retry-max-attempts',
];
const BOUNDARY_NUMBERS = [
  -1, 0, -0, 1, 0.5, 1e-7, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2,
  -(2 ** 53), 1e21, 1e308, -1e308, Number.MIN_VALUE,
];

export const frameTypes = (): string[] => Object.keys(CLIENT_FRAME_SCHEMAS);

function integer(schema: Schema, field: string): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : Number.MIN_SAFE_INTEGER;
  const max = typeof schema.maximum === 'number' ? schema.maximum : Number.MAX_SAFE_INTEGER;
  const edges = fc.constantFrom(...new Set([min, max, Math.min(min + 1, max), Math.max(max - 1, min)]));
  // Small ids and tags, mostly, so frames refer to requests and deliveries that exist.
  const small = fc.integer({ min: Math.max(min, 0), max: Math.max(Math.min(max, field === 'delivery_tag' ? 8 : 100), Math.max(min, 0)) });
  return fc.oneof({ arbitrary: small, weight: 4 }, { arbitrary: fc.integer({ min, max }), weight: 2 }, { arbitrary: edges, weight: 1 });
}

function string(schema: Schema, field: string): fc.Arbitrary<string> {
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern));
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : 255;
  const any = fc.string({ maxLength: Math.min(maxLength, 40), unit: 'grapheme' });
  const longest = fc.constantFrom('n', 'é', '.').map((c) => c.repeat(maxLength));
  const arbitraries = [{ arbitrary: any, weight: 3 }, { arbitrary: longest, weight: 1 }];
  const existing = EXISTING[field];
  if (existing !== undefined) arbitraries.push({ arbitrary: fc.constantFrom(...existing), weight: 8 }, { arbitrary: fc.constantFrom(...NAMES), weight: 2 });
  return fc.oneof(...arbitraries);
}

/** Arguments, headers and policy definitions: known keys with plausible or boundary values, and anything. */
function table(field: string): fc.Arbitrary<Header> {
  const keys = field === 'arguments' ? ARGUMENT_KEYS : field === 'definition' ? POLICY_KEYS : ['x-match', 'k', 'h1'];
  const key = fc.oneof({ arbitrary: fc.constantFrom(...keys), weight: 3 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 });
  const value = fc.oneof(
    fc.constantFrom(...BOUNDARY_NUMBERS, 1, 10, 1000, 'all', 'any', 'drop-head', 'reject-publish', 'lazy', 'quorum', 'fz-x1', true, [1, 2], []),
    fc.integer({ min: 0, max: 100_000 }),
    fc.jsonValue({ maxDepth: 2 }),
  );
  return fc.dictionary(key, value, { maxKeys: 4 });
}

function policy(): fc.Arbitrary<Header> {
  return fc.record(
    {
      pattern: fc.oneof(fc.constantFrom('^fz', '.*', '', '^fz-q1$', 'q', '['), fc.string({ maxLength: 12 })),
      'apply-to': fc.oneof(fc.constantFrom('queues', 'exchanges', 'all'), fc.string({ maxLength: 5 })),
      priority: fc.oneof(fc.integer({ min: -2, max: 10 }), fc.constantFrom(...BOUNDARY_NUMBERS)),
      definition: table('definition'),
    },
    { requiredKeys: ['pattern', 'definition'] },
  );
}

function valueOf(schema: Schema, field: string): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (schema.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return integer(schema, field);
    case 'number':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: (schema.minimum as number) ?? -1e9, max: (schema.maximum as number) ?? 1e9 }), fc.constantFrom(...BOUNDARY_NUMBERS));
    case 'string':
      return string(schema, field);
    case 'array':
      return fc.array(valueOf((schema.items as Schema | undefined) ?? {}, field), { minLength: (schema.minItems as number) ?? 0, maxLength: Math.min((schema.maxItems as number) ?? 5, 5) });
    case 'object':
      if (field === 'policy') return policy();
      return schema.properties === undefined ? table(field) : objectOf(schema);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(schema: Schema): fc.Arbitrary<Header> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = (schema.required ?? []) as string[];
  const fields = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, valueOf(s, name)]));
  return fc.record(fields, { requiredKeys: required.filter((name) => name in fields) }) as fc.Arbitrary<Header>;
}

/** A frame header the schema accepts (names and numbers biased toward ones that exist). */
function validFrame(type: string): fc.Arbitrary<Header> {
  const schema = CLIENT_FRAME_SCHEMAS[type];
  if (schema === undefined) throw new Error(`no schema for ${type}`);
  return objectOf(schema);
}

/**
 * Deep nesting stands in the generated value as a short placeholder string, expanded into JSON
 * text only when the frame is encoded (messagesOf): a 30,000-deep value would overflow the stack
 * of JSON.stringify here, and of fast-check when it prints a counterexample.
 */
const NESTED = /"\u27e6nest (\d+) (array|object)\u27e7"/g;
const nestedJunk = (depth: number, arrays: boolean): string => `\u27e6nest ${depth} ${arrays ? 'array' : 'object'}\u27e7`;

function expandNested(json: string): string {
  return json.replace(NESTED, (_, depth: string, kind: string) => {
    const n = Number(depth);
    return kind === 'array' ? `${'['.repeat(n)}"bottom"${']'.repeat(n)}` : `${'{"a":'.repeat(n)}"bottom"${'}'.repeat(n)}`;
  });
}

/** Anything at all where a field's value goes. */
function junk(): fc.Arbitrary<unknown> {
  const huge = fc
    .tuple(fc.integer({ min: 256, max: LIMITS.hugeString }), fc.constantFrom('a', 'é', '😀', '\u0000', '\ud800', '"', '\\'))
    .map(([n, c]) => c.repeat(n));
  const nested = fc.tuple(fc.integer({ min: 10, max: LIMITS.depth }), fc.boolean()).map(([depth, arrays]) => nestedJunk(depth, arrays));
  return fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
    { arbitrary: fc.constantFrom(...BOUNDARY_NUMBERS, null, true, false, '', ' ', '0', '-1', 'NaN', '__proto__', [], {}, [null]), weight: 4 },
    { arbitrary: fc.string({ maxLength: 20, unit: 'binary' }), weight: 2 },
    { arbitrary: huge, weight: 1 },
    { arbitrary: nested, weight: 1 },
  );
}

interface Mutation {
  kind: 'drop' | 'retype' | 'extra' | 'boundary' | 'type';
  pick: number;
  value: unknown;
  key: string;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('drop', 'drop', 'retype', 'retype', 'retype', 'extra', 'extra', 'boundary', 'boundary', 'type'),
  pick: fc.nat(),
  value: junk(),
  key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('type', 'id', 'seq', '__proto__', 'constructor', 'toString', 'body')),
});

function mutate(type: string, header: Header, mutations: Mutation[]): Header {
  const out: Header = { ...header };
  const schema = CLIENT_FRAME_SCHEMAS[type]!;
  for (const m of mutations) {
    const keys = [...new Set([...Object.keys(out), ...Object.keys((schema.properties ?? {}) as object)])];
    const key = keys[m.pick % keys.length]!;
    if (m.kind === 'drop') delete out[key];
    else if (m.kind === 'retype') out[key] = m.value;
    else if (m.kind === 'extra') Object.defineProperty(out, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    else if (m.kind === 'boundary') out[key] = BOUNDARY_NUMBERS[m.pick % BOUNDARY_NUMBERS.length];
    else out.type = typeof m.value === 'string' && m.pick % 2 === 0 ? m.value : frameTypes()[m.pick % frameTypes().length];
  }
  return out;
}

/** JSON text an object cannot produce: a second `type` (first or last), or a `__proto__` key. */
function rawText(header: Header, splice: number, otherType: string): string {
  const inner = JSON.stringify(header).slice(1, -1);
  const type = `"type":${JSON.stringify(otherType)}`;
  const extra = splice === 2 ? '"__proto__":{"type":"hello","id":1}' : type;
  if (inner === '') return `{${extra}}`;
  return splice === 3 ? `{${inner},${extra}}` : `{${extra},${inner}}`;
}

export interface FuzzFrame {
  /** The header as an object or as JSON text (to carry what no object can). */
  header: Header | string;
  body: Uint8Array;
}

/** A frame of `type`: valid, or broken in one to three ways, with a body (large for some publishes). */
export function fuzzedFrame(type: string): fc.Arbitrary<FuzzFrame> {
  const body = fc.oneof(
    { arbitrary: fc.constant(new Uint8Array(0)), weight: 3 },
    { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 3 },
    { arbitrary: fc.integer({ min: 4090, max: 4100 }).map((n) => new Uint8Array(n)), weight: 1 },
  );
  return fc
    .record({
      header: validFrame(type),
      // Three in ten valid, five with one fault, two with two or three.
      mutations: fc
        .integer({ min: 0, max: 9 })
        .chain((n): fc.Arbitrary<Mutation[]> => (n < 3 ? fc.constant([]) : fc.array(mutation, { minLength: n < 8 ? 1 : 2, maxLength: n < 8 ? 1 : 3 }))),
      splice: fc.oneof({ arbitrary: fc.constant(0), weight: 8 }, { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 1 }),
      otherType: fc.constantFrom(...frameTypes(), 'queue.explode'),
      body,
    })
    .map(({ header, mutations, splice, otherType, body }) => {
      const mutated = mutate(type, header, mutations);
      return { header: splice === 0 ? mutated : rawText(mutated, splice, otherType), body };
    });
}

/** Frames as WebSocket messages: all in one message, or one message each. */
export function messagesOf(frames: FuzzFrame[], batched: boolean): Uint8Array[] {
  const encoded = frames.map((f) => encodeFrame(expandNested(typeof f.header === 'string' ? f.header : JSON.stringify(f.header)), f.body));
  if (!batched) return encoded;
  const message = new Uint8Array(encoded.reduce((n, e) => n + e.length, 0));
  let at = 0;
  for (const e of encoded) {
    message.set(e, at);
    at += e.length;
  }
  return [message];
}

type ByteEdit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'length'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'repeat'; at: number; length: number };

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0, 0x22, 0x5c, 0x7b, 0x7d, 0x80, 0xc0, 0xff, 0x00) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('length' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 3, 4, 0x7fffffff, 0xffffffff, 0x10000) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);

/** A message broken byte by byte: bit flips, overwrites, inserts, deletes, bad length prefixes, cuts, repeats. */
export function mutatedBytes(message: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.array(byteEdit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let bytes: Uint8Array<ArrayBuffer> = new Uint8Array(message);
    for (const edit of edits) {
      const at = bytes.length === 0 ? 0 : edit.at % bytes.length;
      switch (edit.kind) {
        case 'flip':
          if (bytes.length > 0) bytes[at]! ^= 1 << edit.bit;
          break;
        case 'set':
          if (bytes.length > 0) bytes[at] = edit.byte;
          break;
        case 'insert':
          bytes = concat(bytes.subarray(0, at), edit.bytes, bytes.subarray(at));
          break;
        case 'delete':
          bytes = concat(bytes.subarray(0, at), bytes.subarray(at + edit.length));
          break;
        case 'length':
          if (bytes.length >= 4) new DataView(bytes.buffer, bytes.byteOffset).setUint32(Math.min(at, bytes.length - 4), edit.value);
          break;
        case 'truncate':
          bytes = bytes.slice(0, at) as Uint8Array<ArrayBuffer>;
          break;
        case 'repeat':
          bytes = concat(bytes.subarray(0, at + edit.length), bytes.subarray(at));
          break;
      }
    }
    return bytes;
  });
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
