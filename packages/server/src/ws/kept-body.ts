/**
 * The bytes a published message keeps. A frame's body is a view into the WebSocket message it
 * came in, and a queue may hold the message for long, so a small body is copied out rather
 * than pin a batch of other publishes; Node's Buffer pool makes that copy cheap (no zero fill,
 * no backing store of its own below 4 KiB). A large body that is most of its message is kept
 * as it is: a copy would free almost nothing, and costs a full pass over the bytes.
 */
const SHARED_MIN_BYTES = 16 * 1024;

export function keptBody(body: Uint8Array): Uint8Array {
  if (body.length >= SHARED_MIN_BYTES && body.buffer.byteLength <= 2 * body.length) return body;
  return Buffer.from(body);
}
