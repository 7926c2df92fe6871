/**
 * The send time a producer writes into each body and a consumer reads back. Producer and
 * consumer are separate processes on the same machine, so each one's clock is its own
 * performance.timeOrigin + performance.now(): wall-clock based (comparable across processes)
 * with sub-millisecond resolution, which Date.now() lacks.
 */

/** Bytes at the start of every body that hold the timestamp (a little-endian float64). */
export const STAMP_BYTES = 8;

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * A fresh body of `size` bytes, zero after the current time. Fresh, because a client may hold it
 * until its publish window has room. A Buffer (a Uint8Array to @warren/client) because amqplib
 * takes nothing else. A small one comes from Node's Buffer pool, as a real producer's
 * `Buffer.from(text)` does, rather than with a backing store of its own; a large one is
 * allocated zeroed, which costs less than filling it.
 */
export function stampedBody(size: number): Buffer {
  const bytes = Math.max(size, STAMP_BYTES);
  const pooled = bytes < Buffer.poolSize >>> 1;
  const body = pooled ? Buffer.allocUnsafe(bytes) : Buffer.alloc(bytes);
  body.writeDoubleLE(nowMs(), 0);
  if (pooled) body.fill(0, STAMP_BYTES);
  return body;
}

/** Milliseconds since the body was stamped; the body may be a view into a larger buffer. */
export function ageMs(body: Uint8Array): number {
  return nowMs() - new DataView(body.buffer, body.byteOffset, STAMP_BYTES).getFloat64(0, true);
}
