import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFragments, decodeFrames, encodeFrame, encodeFrameHead } from './codec.js';

function join(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

describe('decodeFragments', () => {
  it('takes a large body sent as a fragment of its own as it is', () => {
    const small = encodeFrame({ type: 'ack', delivery_tag: 1 });
    const body = new Uint8Array(70_000).fill(5);
    const head = encodeFrameHead({ type: 'publish', seq: 1, exchange: '', routing_key: 'q' }, body.length);
    const frames = decodeFragments([join([small, head]), body]);
    expect(frames.map((frame) => frame.header)).toEqual([
      { type: 'ack', delivery_tag: 1 },
      { type: 'publish', seq: 1, exchange: '', routing_key: 'q' },
    ]);
    expect(frames[1]!.body).toBe(body);
  });

  it('reads a message cut anywhere, into any number of fragments, as the whole message', () => {
    const frame = fc.tuple(fc.record({ type: fc.constantFrom('publish', 'ack'), n: fc.nat() }), fc.uint8Array({ maxLength: 300 }));
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 4 }), (frames, cuts) => {
        const message = join(frames.map(([header, body]) => encodeFrame(header, body)));
        const at = [...new Set(cuts.map((cut) => cut % message.length))].sort((a, b) => a - b);
        const fragments = [0, ...at].map((start, i) => message.subarray(start, [...at, message.length][i]));
        const expected = decodeFrames(message).map(({ header, body }) => ({ header, body: [...body] }));
        expect(decodeFragments(fragments).map(({ header, body }) => ({ header, body: [...body] }))).toEqual(expected);
      }),
    );
  });

  it('rejects an empty message, which comes as no fragments', () => {
    expect(() => decodeFragments([])).toThrow(/empty message/);
  });

  it('rejects a message whose fragments do not add up to whole frames', () => {
    const head = encodeFrameHead({ type: 'publish' }, 10);
    expect(() => decodeFragments([head, new Uint8Array(9)])).toThrow(/truncated body/);
    expect(() => decodeFragments([head, new Uint8Array(11)])).toThrow(/frame_malformed|truncated/);
  });
});
