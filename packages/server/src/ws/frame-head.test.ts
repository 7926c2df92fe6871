import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { FRAME_HEAD_ROOM, frameHeadLength, writeFrameHead } from './frame-head.js';

/** ws's own framing and parsing, which its type declarations leave out. */
interface WsInternals {
  Sender: { frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[] };
  Receiver: new (options: { isServer: boolean; binaryType: string }) => NodeJS.WritableStream & { once(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void };
}
const { Receiver, Sender } = ws as unknown as WsInternals;

/** What `ws` itself writes for `payload` as one final binary frame from a server. */
function wsFrame(payload: Buffer): Buffer {
  return Buffer.concat(Sender.frame(payload, { fin: true, opcode: 2, mask: false, readOnly: true, rsv1: false }));
}

/** The head written into the room in front of `first`, as the listener sends it: head and first part in one buffer. */
function led(first: Buffer, payloadLength: number): Buffer {
  const buffer = Buffer.concat([Buffer.alloc(FRAME_HEAD_ROOM, 0xee), first]);
  return buffer.subarray(writeFrameHead(buffer, FRAME_HEAD_ROOM, payloadLength));
}

describe('writeFrameHead', () => {
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 65_600, 300 * 1024, 2 ** 32 + 5])('heads a %i-byte payload as ws does', (length) => {
    if (length > 2 ** 31) {
      // Too large to frame here: the head as RFC 6455 spells it, a 64-bit big-endian length.
      const head = led(Buffer.alloc(0), length);
      expect([...head]).toEqual([0x82, 127, 0, 0, 0, 1, 0, 0, 0, 5]);
      return;
    }
    const payload = Buffer.alloc(length, 7);
    const framed = wsFrame(payload);
    // Buffer.equals: an element-wise toEqual takes seconds on the largest.
    expect(led(payload, length).equals(framed)).toBe(true);
    expect(frameHeadLength(length)).toBe(framed.length - length);
  });

  it('is read back by a ws client as one binary message of head and body joined', async () => {
    const head = Buffer.from('frame head|');
    const body = Buffer.alloc(70_000, 3);
    const receiver = new Receiver({ isServer: false, binaryType: 'nodebuffer' });
    const message = new Promise<[Buffer, boolean]>((resolve) => receiver.once('message', (data: Buffer, isBinary: boolean) => resolve([data, isBinary])));
    receiver.write(Buffer.concat([led(head, head.length + body.length), body]));
    const [data, isBinary] = await message;
    expect(isBinary).toBe(true);
    expect(data.equals(Buffer.concat([head, body]))).toBe(true);
  });
});
