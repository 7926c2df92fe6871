/**
 * Frame headers that repeat but for one number. JSON.parse costs about a microsecond per header
 * on a small machine, most of it fixed, and a connection's headers mostly come in runs that
 * differ in a single counter: publish `seq` from a producer, `delivery_tag` in a consumer's
 * acks, `seq` in the broker's publish.acks. A header shaped `{"type":"T","K":<digits><rest>`
 * whose bytes before and after the digits equal a recent header's is that header's object with
 * K set to the new number, found by comparing bytes instead of decoding and parsing them.
 *
 * Callers must not add fields to what they get: V8 handles that on these copies so slowly that
 * it cost the broker more than the parse saved (measured: 77k against 122k transient msgs/s).
 *
 * The result is always what JSON.parse gives for the same bytes: a template is only made when
 * the rest names neither "type" nor K again (JSON.parse keeps a repeated key's last value), and
 * the digits must form a JSON number (no leading zero) that is a safe integer.
 */
import type { HeaderShortcut } from './codec.js';
import { bytesAt, digitsAt, jsonIntegerAt } from './header-bytes.js';

const MAX_TEMPLATES = 4;
const MAX_DIGITS = 15;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const TYPE_OPENING = encoder.encode('{"type":"');
const TYPE_KEY = encoder.encode('"type"');

interface Template {
  /** Bytes up to the number: `{"type":"T","K":`. */
  readonly head: Bytes;
  /** Bytes after the number, to the end of the header. */
  readonly tail: Bytes;
  readonly key: string;
  /** The parsed header, never handed out itself: callers may add fields to what they get. */
  readonly object: Record<string, unknown>;
}

export class RepeatedHeaders implements HeaderShortcut {
  private readonly templates: Template[] = [];

  /** The header at data[start, end) if it repeats a template; undefined means parse it. */
  match(data: Uint8Array, view: DataView, start: number, end: number): Record<string, unknown> | undefined {
    for (const template of this.templates) {
      const { head, tail } = template;
      const digits = end - start - head.bytes.length - tail.bytes.length;
      if (digits < 1 || digits > MAX_DIGITS) continue;
      if (!sameWords(view, start, head) || !sameWords(view, start + head.bytes.length + digits, tail)) continue;
      const value = jsonIntegerAt(data, start + head.bytes.length, digits);
      if (value === undefined) continue;
      return copyWith(template.object, template.key, value);
    }
    return undefined;
  }

  /** Keeps a freshly parsed header as a template when it has the shape a later one can repeat. */
  remember(bytes: Uint8Array, parsed: unknown): void {
    const template = templateOf(bytes, parsed);
    if (template === undefined) return;
    if (this.templates.length === MAX_TEMPLATES) this.templates.pop();
    this.templates.unshift(template);
  }
}

function templateOf(bytes: Uint8Array, parsed: unknown): Template | undefined {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  if (!bytesAt(bytes, 0, bytes.length, TYPE_OPENING)) return undefined;
  const typeEnd = closingQuote(bytes, TYPE_OPENING.length);
  if (typeEnd < 0 || bytes[typeEnd + 1] !== 0x2c || bytes[typeEnd + 2] !== QUOTE) return undefined;
  const keyEnd = closingQuote(bytes, typeEnd + 3);
  if (keyEnd < 0 || bytes[keyEnd + 1] !== 0x3a) return undefined;
  const start = keyEnd + 2;
  const end = start + digitsAt(bytes, start, bytes.length);
  const value = jsonIntegerAt(bytes, start, end - start);
  if (value === undefined) return undefined;
  const key = decoder.decode(bytes.subarray(typeEnd + 3, keyEnd));
  const object = parsed as Record<string, unknown>;
  if (object[key] !== value || key === 'type') return undefined;
  // Copies: a Node Buffer's slice() is a view, which would pin the message the header came in.
  const tail = Uint8Array.prototype.slice.call(bytes, end);
  // A number ends at a comma or the closing brace; `0e5` or `0.5` would read differently with other digits.
  if (tail[0] !== 0x2c && tail[0] !== 0x7d) return undefined;
  if (contains(tail, TYPE_KEY) || contains(tail, encoder.encode(`"${key}"`))) return undefined;
  return { head: bytesOf(Uint8Array.prototype.slice.call(bytes, 0, start)), tail: bytesOf(tail), key, object: copyWith(object, key, value) };
}

/** A copy built key by key in the original's order. */
function copyWith(object: Record<string, unknown>, key: string, value: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const name in object) copy[name] = name === key ? value : object[name];
  return copy;
}

/** The index of the quote closing a string that starts at `from`; -1 past an escape or the end. */
function closingQuote(bytes: Uint8Array, from: number): number {
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] === QUOTE) return i;
    if (bytes[i] === BACKSLASH) return -1;
  }
  return -1;
}

/** A template's bytes, with a view to compare them four at a time. */
interface Bytes {
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

function bytesOf(bytes: Uint8Array): Bytes {
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/** Whether `view` holds `expected` at `at`: a word at a time, four times the speed of a byte loop. */
function sameWords(view: DataView, at: number, expected: Bytes): boolean {
  const length = expected.bytes.length;
  if (at + length > view.byteLength) return false;
  let i = 0;
  for (; i + 4 <= length; i += 4) if (view.getUint32(at + i) !== expected.view.getUint32(i)) return false;
  for (; i < length; i++) if (view.getUint8(at + i) !== expected.bytes[i]) return false;
  return true;
}

function contains(bytes: Uint8Array, needle: Uint8Array): boolean {
  for (let i = 0; i + needle.length <= bytes.length; i++) if (bytesAt(bytes, i, bytes.length, needle)) return true;
  return false;
}
