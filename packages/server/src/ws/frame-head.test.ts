import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { binaryFrameHead } from './frame-head.js';

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

describe('binaryFrameHead', () => {
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 65_600, 300 * 1024])('heads a %i-byte payload as ws does', (length) => {
    const payload = Buffer.alloc(length, 7);
    // Buffer.equals: an element-wise toEqual takes seconds on the largest.
    expect(Buffer.concat([binaryFrameHead(length), payload]).equals(wsFrame(payload))).toBe(true);
  });

  it('is read back by a ws client as one binary message of head and body joined', async () => {
    const head = Buffer.from('frame head|');
    const body = Buffer.alloc(70_000, 3);
    const receiver = new Receiver({ isServer: false, binaryType: 'nodebuffer' });
    const message = new Promise<[Buffer, boolean]>((resolve) => receiver.once('message', (data: Buffer, isBinary: boolean) => resolve([data, isBinary])));
    receiver.write(Buffer.concat([binaryFrameHead(head.length + body.length), head, body]));
    const [data, isBinary] = await message;
    expect(isBinary).toBe(true);
    expect(data.equals(Buffer.concat([head, body]))).toBe(true);
  });
});
