/**
 * The head of one unmasked, final, binary WebSocket frame (RFC 6455, 5.2): what a server writes
 * before the payload. `ws` can only frame a payload that lies in one buffer; with this head the
 * session writes a delivery's heads and its body, which lie apart, as one WebSocket frame
 * (listener.ts, socketOf). The head is written into the free bytes the delivery's frame head
 * leaves in front of itself (encodeFrameHead's `lead`), so both heads are one buffer: no
 * allocation of its own and one piece fewer for writev.
 */
const FIN_BINARY = 0x82;
const LENGTH_16 = 126;
const LENGTH_64 = 127;

/** Bytes to leave free in front of a payload's first part: the longest head (64-bit length). */
export const FRAME_HEAD_ROOM = 10;

/** Bytes of the head for a payload of `payloadLength` bytes. */
export function frameHeadLength(payloadLength: number): number {
  return payloadLength < LENGTH_16 ? 2 : payloadLength < 0x10000 ? 4 : 10;
}

/**
 * Writes the head for a `payloadLength`-byte payload into `target` so that it ends at `end`
 * (where the payload begins); returns where it starts. `end` is at least FRAME_HEAD_ROOM.
 */
export function writeFrameHead(target: Uint8Array, end: number, payloadLength: number): number {
  const start = end - frameHeadLength(payloadLength);
  target[start] = FIN_BINARY;
  if (payloadLength < LENGTH_16) {
    target[start + 1] = payloadLength;
    return start;
  }
  if (payloadLength < 0x10000) {
    target[start + 1] = LENGTH_16;
    target[start + 2] = payloadLength >>> 8;
    target[start + 3] = payloadLength & 0xff;
    return start;
  }
  target[start + 1] = LENGTH_64;
  // Lengths stay far below 2^53: the 64-bit length is a high 32-bit word and a low one.
  const high = Math.floor(payloadLength / 0x1_0000_0000);
  const low = payloadLength >>> 0;
  for (let i = 0; i < 4; i++) {
    target[start + 5 - i] = (high >>> (8 * i)) & 0xff;
    target[start + 9 - i] = (low >>> (8 * i)) & 0xff;
  }
  return start;
}

