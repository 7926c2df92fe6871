import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RepeatedHeaders } from './repeated-headers.js';

const encoder = new TextEncoder();

/** Matches `bytes` placed inside a larger message, as decodeFrames hands headers over. */
function matchIn(repeated: RepeatedHeaders, bytes: Uint8Array): unknown {
  const data = new Uint8Array(bytes.length + 10);
  data.set(bytes, 7);
  return repeated.match(data, new DataView(data.buffer), 7, 7 + bytes.length);
}

/** What a connection reading `texts` in order gets for each: a repeat's object, else JSON.parse's. */
function readAll(texts: string[]): { objects: unknown[]; repeats: number } {
  const repeated = new RepeatedHeaders();
  let repeats = 0;
  const objects = texts.map((text) => {
    const bytes = encoder.encode(text);
    const match = matchIn(repeated, bytes);
    if (match !== undefined) {
      repeats++;
      return match;
    }
    const parsed: unknown = JSON.parse(text);
    repeated.remember(bytes, parsed);
    return parsed;
  });
  return { objects, repeats };
}

describe('RepeatedHeaders', () => {
  it('gives a header that repeats a recent one but for its number without parsing it', () => {
    const texts = [1, 2, 10, 11, 999_999_999_999_999].map((seq) => `{"type":"publish","seq":${seq},"exchange":"","routing_key":"q","properties":{"persistent":true}}`);
    const { objects, repeats } = readAll(texts);
    expect(objects).toEqual(texts.map((text) => JSON.parse(text)));
    expect(repeats).toBe(4);
  });

  it('keeps a few templates, so interleaved kinds of header all repeat', () => {
    const texts: string[] = [];
    for (let i = 1; i <= 20; i++) texts.push(`{"type":"publish","seq":${i},"exchange":"x"}`, `{"type":"ack","delivery_tag":${i}}`, `{"type":"publish.ack","seq":${i},"multiple":true}`);
    const { objects, repeats } = readAll(texts);
    expect(objects).toEqual(texts.map((text) => JSON.parse(text)));
    expect(repeats).toBe(57);
  });

  it('hands out a copy, so a caller adding fields leaves the next header alone', () => {
    const repeated = new RepeatedHeaders();
    const first = encoder.encode('{"type":"ack","delivery_tag":1}');
    const parsed = JSON.parse('{"type":"ack","delivery_tag":1}') as Record<string, unknown>;
    repeated.remember(first, parsed);
    parsed.body = 'changed';
    const second = matchIn(repeated, encoder.encode('{"type":"ack","delivery_tag":2}')) as Record<string, unknown>;
    second.body = 'also changed';
    expect(matchIn(repeated, encoder.encode('{"type":"ack","delivery_tag":3}'))).toEqual({ type: 'ack', delivery_tag: 3 });
  });

  it('makes no template where other digits would read differently', () => {
    for (const text of [
      '{"type":"ack","delivery_tag":0e5}',
      '{"type":"ack","delivery_tag":0.5}',
      '{"type":"ack","delivery_tag":1,"delivery_tag":1}',
      '{"type":"ack","delivery_tag":1,"type":"ack"}',
      '{"type":"ack","delivery_tag": 1}',
      '{"type":"a\\"ck","delivery_tag":1}',
      '{"type":"ack","delivery_tag":1234567890123456}',
      '{"type":"ack","type":1}',
      '{"kind":"ack","delivery_tag":1}',
      '[1]',
    ]) {
      const repeated = new RepeatedHeaders();
      repeated.remember(encoder.encode(text), JSON.parse(text));
      expect(matchIn(repeated, encoder.encode(text.replace(/\d/, '2'))), text).toBeUndefined();
    }
  });

  it('never differs from JSON.parse on numbers, including leading zeros and oversized ones', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[0-9]{1,17}$/), { minLength: 1, maxLength: 20 }), fc.constantFrom('}', ',"multiple":true}', ',"seq":3}'), (numbers, tail) => {
        const texts = ['{"type":"publish.ack","seq":1' + tail, ...numbers.map((n) => `{"type":"publish.ack","seq":${n}${tail}`)];
        const repeated = new RepeatedHeaders();
        for (const text of texts) {
          const bytes = encoder.encode(text);
          let expected: unknown;
          try {
            expected = JSON.parse(text);
          } catch {
            expect(matchIn(repeated, bytes)).toBeUndefined();
            continue;
          }
          const match = matchIn(repeated, bytes);
          if (match !== undefined) expect(match).toEqual(expected);
          else repeated.remember(bytes, expected);
        }
      }),
    );
  });
});
