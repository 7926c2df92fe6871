/**
 * The head of one unmasked, final, binary WebSocket frame (RFC 6455, 5.2) carrying
 * `payloadLength` bytes: what a server writes before the payload. `ws` can only frame a
 * payload that lies in one buffer; with this head the session writes a delivery's frame head
 * and its body, which lie apart, as one WebSocket frame (listener.ts, socketOf).
 */
const FIN_BINARY = 0x82;
const LENGTH_16 = 126;
const LENGTH_64 = 127;

export function binaryFrameHead(payloadLength: number): Buffer {
  if (payloadLength < LENGTH_16) return Buffer.from([FIN_BINARY, payloadLength]);
  if (payloadLength < 0x10000) {
    const head = Buffer.allocUnsafe(4);
    head[0] = FIN_BINARY;
    head[1] = LENGTH_16;
    head.writeUInt16BE(payloadLength, 2);
    return head;
  }
  const head = Buffer.allocUnsafe(10);
  head[0] = FIN_BINARY;
  head[1] = LENGTH_64;
  // Lengths stay far below 2^53; the top two bytes of the 64-bit length are zero.
  head.writeUInt16BE(0, 2);
  head.writeUIntBE(payloadLength, 4, 6);
  return head;
}
