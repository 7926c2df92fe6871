import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrame, encodeFrameHead, FrameWriter } from './codec.js';
import { WarrenError } from './errors.js';

const utf8 = new TextEncoder();

/** Builds a message by hand: [u32 header length][header bytes][u32 body length][body]. */
function raw(parts: Array<{ header: Uint8Array | string; body?: Uint8Array; headerLength?: number; bodyLength?: number }>): Uint8Array {
  const chunks: number[] = [];
  const u32 = (n: number) => chunks.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  for (const part of parts) {
    const header = typeof part.header === 'string' ? utf8.encode(part.header) : part.header;
    const body = part.body ?? new Uint8Array(0);
    u32(part.headerLength ?? header.length);
    chunks.push(...header);
    u32(part.bodyLength ?? body.length);
    chunks.push(...body);
  }
  return Uint8Array.from(chunks);
}

function malformed(data: Uint8Array): WarrenError {
  let thrown: unknown;
  try {
    decodeFrames(data);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(WarrenError);
  expect((thrown as WarrenError).code).toBe('frame_malformed');
  return thrown as WarrenError;
}

const EMPTY = new Uint8Array(0);
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('encodeFrame / decodeFrames', () => {
  it('round-trips one frame with a body', () => {
    const body = utf8.encode('hello');
    const data = encodeFrame({ type: 'publish', seq: 1, exchange: '', routing_key: 'q' }, body);
    const frames = decodeFrames(data);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.header).toEqual({ type: 'publish', seq: 1, exchange: '', routing_key: 'q' });
    expect([...(frames[0]?.body ?? [])]).toEqual([...body]);
  });

  it('lays a frame out as big-endian lengths around the header and body (the spec example)', () => {
    const data = encodeFrame({ type: 'publish', seq: 1, exchange: '', routing_key: 'q' }, utf8.encode('hi'));
    const hex = Buffer.from(data).toString('hex');
    expect(hex).toBe(
      '0000003a' + Buffer.from('{"type":"publish","seq":1,"exchange":"","routing_key":"q"}').toString('hex') + '00000002' + '6869',
    );
    expect(data.length).toBe(68);
  });

  it('encodes a frame without a body with a zero body length', () => {
    const data = encodeFrame({ type: 'heartbeat' });
    expect(Buffer.from(data).toString('hex')).toBe('00000014' + Buffer.from('{"type":"heartbeat"}').toString('hex') + '00000000');
    const [frame] = decodeFrames(data);
    expect(frame?.header).toEqual({ type: 'heartbeat' });
    expect(frame?.body.length).toBe(0);
  });

  it('accepts a header already serialized as JSON text', () => {
    const data = encodeFrame('{"type":"ack","delivery_tag":7}');
    expect(decodeFrames(data)[0]?.header).toEqual({ type: 'ack', delivery_tag: 7 });
    expect(data).toEqual(encodeFrame({ type: 'ack', delivery_tag: 7 }));
  });

  it('carries bodies as raw bytes: every byte value survives, nothing is base64', () => {
    const data = encodeFrame({ type: 'publish' }, ALL_BYTES);
    expect(data.length).toBe(4 + '{"type":"publish"}'.length + 4 + 256);
    expect([...data.subarray(data.length - 256)]).toEqual([...ALL_BYTES]);
    expect([...(decodeFrames(data)[0]?.body ?? [])]).toEqual([...ALL_BYTES]);
  });

  it('round-trips empty bodies', () => {
    const data = encodeFrame({ type: 'publish' }, new Uint8Array(0));
    const [frame] = decodeFrames(data);
    expect(frame?.body).toBeInstanceOf(Uint8Array);
    expect(frame?.body.length).toBe(0);
  });

  it('counts the header length in UTF-8 bytes, so multi-byte characters round-trip', () => {
    const header = { type: 'publish', routing_key: 'café.日本.🐇', headers: { 'ключ': 'значение', emoji: '🦊🐺', combining: 'e\u0301' } };
    const data = encodeFrame(header);
    const json = utf8.encode(JSON.stringify(header));
    expect(new DataView(data.buffer, data.byteOffset).getUint32(0)).toBe(json.length);
    expect(json.length).toBeGreaterThan(JSON.stringify(header).length);
    expect(data.length).toBe(4 + json.length + 4);
    expect(decodeFrames(data)[0]?.header).toEqual(header);
  });

  it('returns bodies as views into the received message, not copies', () => {
    const data = encodeFrame({ type: 'publish' }, utf8.encode('abc'));
    const [frame] = decodeFrames(data);
    expect(frame?.body.buffer).toBe(data.buffer);
  });

  it('decodes a message that is a view at an offset into a larger buffer', () => {
    const frame = encodeFrame({ type: 'ack', delivery_tag: 1 }, utf8.encode('xyz'));
    const big = new Uint8Array(frame.length + 10);
    big.set(frame, 7);
    const [decoded] = decodeFrames(big.subarray(7, 7 + frame.length));
    expect(decoded?.header).toEqual({ type: 'ack', delivery_tag: 1 });
    expect(new TextDecoder().decode(decoded?.body)).toBe('xyz');
  });
});

describe('encodeFrame with a large body', () => {
  it('returns a frame that owns its whole ArrayBuffer, body and all', () => {
    const body = new Uint8Array(70_000).fill(7);
    const data = encodeFrame({ type: 'publish', seq: 1 }, body);
    expect(data.byteOffset).toBe(0);
    expect(data.buffer.byteLength).toBe(data.length);
    const [frame] = decodeFrames(data);
    expect(frame?.header).toEqual({ type: 'publish', seq: 1 });
    expect(Buffer.from(frame!.body).equals(Buffer.from(body))).toBe(true);
  });
});

describe('encodeFrameHead', () => {
  it('is the frame up to its body: head and body together decode as the frame', () => {
    const head = encodeFrameHead({ type: 'deliver', delivery_tag: 3, note: 'ü' }, ALL_BYTES.length);
    const data = new Uint8Array([...head, ...ALL_BYTES]);
    expect(data).toEqual(encodeFrame({ type: 'deliver', delivery_tag: 3, note: 'ü' }, ALL_BYTES));
    const [frame] = decodeFrames(data);
    expect(frame?.header).toEqual({ type: 'deliver', delivery_tag: 3, note: 'ü' });
    expect(frame?.body).toEqual(ALL_BYTES);
  });

  it('leaves `lead` bytes free in front, the same head after them', () => {
    const header = { type: 'deliver', delivery_tag: 3, note: 'ü' };
    const plain = encodeFrameHead(header, ALL_BYTES.length);
    for (const lead of [1, 4, 10]) {
      const led = encodeFrameHead(header, ALL_BYTES.length, lead);
      expect(led.length).toBe(lead + plain.length);
      expect(led.subarray(lead)).toEqual(plain);
    }
  });
});

describe('FrameWriter', () => {
  it('puts many frames in one message, decoded back in order', () => {
    const writer = new FrameWriter();
    writer.add({ type: 'heartbeat' });
    writer.add({ type: 'deliver', delivery_tag: 1 }, utf8.encode('one'));
    writer.add('{"type":"deliver","delivery_tag":2}', utf8.encode('two'));
    writer.add({ type: 'publish.ack', seq: 9, multiple: true });
    expect(writer.count).toBe(4);
    const data = writer.take();
    expect(writer.size).toBe(0);
    expect(writer.count).toBe(0);
    const frames = decodeFrames(data);
    expect(frames.map((f) => f.header)).toEqual([
      { type: 'heartbeat' },
      { type: 'deliver', delivery_tag: 1 },
      { type: 'deliver', delivery_tag: 2 },
      { type: 'publish.ack', seq: 9, multiple: true },
    ]);
    expect(frames.map((f) => new TextDecoder().decode(f.body))).toEqual(['', 'one', 'two', '']);
  });

  it('produces the same bytes as encoding each frame on its own and concatenating', () => {
    const frames: Array<[object, Uint8Array]> = [
      [{ type: 'a' }, new Uint8Array([1, 2, 3])],
      [{ type: 'b', x: 'ü' }, new Uint8Array(0)],
      [{ type: 'c' }, ALL_BYTES],
    ];
    const writer = new FrameWriter();
    for (const [header, body] of frames) writer.add(header, body);
    const expected = Buffer.concat(frames.map(([header, body]) => encodeFrame(header, body)));
    expect(Buffer.from(writer.take()).equals(expected)).toBe(true);
  });

  it('tracks size in bytes', () => {
    const writer = new FrameWriter();
    expect(writer.size).toBe(0);
    writer.add({ type: 'x' }, new Uint8Array(5));
    expect(writer.size).toBe(4 + '{"type":"x"}'.length + 4 + 5);
  });

  it('grows past its initial capacity, by one big frame and by many small ones', () => {
    const small = new FrameWriter(16);
    const big = new Uint8Array(100_000).map((_, i) => (i * 31) & 0xff);
    small.add({ type: 'publish', seq: 1 }, big);
    for (let i = 0; i < 1000; i++) small.add({ type: 'ack', delivery_tag: i + 1 });
    expect(small.count).toBe(1001);
    const frames = decodeFrames(small.take());
    expect(frames).toHaveLength(1001);
    expect(Buffer.from(frames[0]?.body ?? []).equals(Buffer.from(big))).toBe(true);
    expect(frames[1000]?.header).toEqual({ type: 'ack', delivery_tag: 1000 });
  });

  it('grows correctly when the header has multi-byte characters', () => {
    const writer = new FrameWriter(8);
    const header = { type: 'x', s: '🐇'.repeat(500) + '日本'.repeat(500) };
    writer.add(header);
    writer.add(header, new Uint8Array([7]));
    const frames = decodeFrames(writer.take());
    expect(frames.map((f) => f.header)).toEqual([header, header]);
    expect([...(frames[1]?.body ?? [])]).toEqual([7]);
  });

  it('never reuses bytes it returned from take()', () => {
    const writer = new FrameWriter(64);
    writer.add({ type: 'first' }, new Uint8Array([1, 1, 1]));
    const first = writer.take();
    const snapshot = Uint8Array.from(first);
    writer.add({ type: 'second' }, new Uint8Array([2, 2, 2]));
    const second = writer.take();
    for (let i = 0; i < 100; i++) writer.add({ type: 'more', i }, new Uint8Array(50).fill(9));
    const third = writer.take();
    expect([...first]).toEqual([...snapshot]);
    expect(first.buffer).not.toBe(second.buffer);
    expect(second.buffer).not.toBe(third.buffer);
    expect(decodeFrames(first)[0]?.header).toEqual({ type: 'first' });
    expect(decodeFrames(second)[0]?.header).toEqual({ type: 'second' });
    expect(decodeFrames(third)).toHaveLength(100);
  });

  it('returns an empty message from take() when nothing was added', () => {
    const writer = new FrameWriter();
    expect(writer.take().length).toBe(0);
  });
});

describe('decodeFrames on malformed messages', () => {
  it('rejects an empty message', () => {
    expect(malformed(new Uint8Array(0)).message).toMatch(/empty/);
  });

  it('rejects a truncated header length', () => {
    malformed(new Uint8Array([0, 0, 0]));
    const valid = encodeFrame({ type: 'heartbeat' });
    const withTail = new Uint8Array(valid.length + 2);
    withTail.set(valid);
    expect(malformed(withTail).message).toMatch(/truncated header length/);
  });

  it('rejects a truncated header', () => {
    malformed(raw([{ header: '{"type":"heartbeat"}', headerLength: 100 }]));
    const valid = encodeFrame({ type: 'heartbeat' });
    malformed(valid.subarray(0, 10));
  });

  it('rejects a message that ends before the body length', () => {
    const valid = encodeFrame({ type: 'heartbeat' });
    malformed(valid.subarray(0, valid.length - 1));
    malformed(valid.subarray(0, valid.length - 4));
  });

  it('rejects a truncated body', () => {
    const valid = encodeFrame({ type: 'publish' }, new Uint8Array(10));
    expect(malformed(valid.subarray(0, valid.length - 1)).message).toMatch(/truncated body/);
    malformed(raw([{ header: '{"type":"publish"}', body: new Uint8Array(3), bodyLength: 0xffffffff }]));
  });

  it('rejects a truncated second frame even when the first is complete', () => {
    const two = Buffer.concat([encodeFrame({ type: 'a' }), encodeFrame({ type: 'b' }, new Uint8Array(4))]);
    malformed(new Uint8Array(two.subarray(0, two.length - 2)));
  });

  it('rejects a header that is not valid UTF-8', () => {
    const error = malformed(raw([{ header: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }]));
    expect(error.message).toMatch(/UTF-8/);
    malformed(raw([{ header: new Uint8Array([0x22, 0xc3, 0x22]) }]));
    malformed(raw([{ header: new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]) }]));
  });

  it('rejects a header that is not valid JSON', () => {
    expect(malformed(raw([{ header: '{"type":' }])).message).toMatch(/JSON/);
    malformed(raw([{ header: '' }]));
    malformed(raw([{ header: "{'type':'x'}" }]));
  });

  it('is connection-scoped and closes with 1002', () => {
    const error = malformed(new Uint8Array(0));
    expect(error.scope).toBe('connection');
    expect(error.closeCode).toBe(1002);
  });
});

describe('codec properties', () => {
  const header = fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 });
  const frame = fc.record({ header, body: fc.uint8Array({ maxLength: 300 }) });

  it('round-trips any list of (JSON object header, byte body) frames in one message', () => {
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 256 }), (frames, capacity) => {
        const writer = new FrameWriter(capacity);
        for (const f of frames) writer.add(f.header, f.body);
        expect(writer.count).toBe(frames.length);
        const decoded = decodeFrames(writer.take());
        // JSON is the header's contract: what survives JSON.stringify / JSON.parse must come back.
        expect(decoded.map((d) => d.header)).toEqual(frames.map((f) => JSON.parse(JSON.stringify(f.header))));
        const sameBodies = decoded.map((d, i) => Buffer.from(d.body.buffer, d.body.byteOffset, d.body.length).equals(frames[i]?.body ?? EMPTY));
        expect(sameBodies).toEqual(frames.map(() => true));
      }),
      { numRuns: 1000 },
    );
  });

  /** Random bytes, and valid messages cut short or with bytes overwritten. */
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc
      .tuple(fc.array(frame, { minLength: 1, maxLength: 4 }), fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
      .map(([frames, cut, edits]) => {
        const writer = new FrameWriter();
        for (const f of frames) writer.add(f.header, f.body);
        const data = Uint8Array.from(writer.take());
        for (const [at, value] of edits) data[at % data.length] = value;
        return data.subarray(0, cut % (data.length + 1));
      }),
  );

  it('throws nothing but WarrenError frame_malformed on arbitrary bytes', () => {
    fc.assert(
      fc.property(bytes, (data) => {
        try {
          const frames = decodeFrames(data);
          expect(Array.isArray(frames)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(WarrenError);
          expect((error as WarrenError).code).toBe('frame_malformed');
        }
      }),
      { numRuns: 1000 },
    );
  });
});
