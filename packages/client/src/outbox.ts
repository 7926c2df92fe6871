/**
 * Outgoing batching (docs/performance.md): every frame written during one tick
 * joins one WebSocket message, sent from a microtask, so a burst of publishes costs a few socket
 * writes while a lone frame still leaves at once. A batch is cut early at BATCH_LIMIT bytes, a
 * frame is never appended to a batch it would push past the server's message limit, and a frame
 * with a large body is sent alone, its body not copied where the transport allows.
 */
import { encodeFrame, encodeFrameHead, FrameWriter } from '@warren/protocol/wire';

/**
 * Large enough that per-message costs vanish (about 450 publishes of 100 bytes), small enough
 * that a burst leaves as several messages: the broker starts on the first while the next is on
 * its way, and its confirms come back in steps that refill the publish window, instead of one
 * window-sized message going back and forth in lock step.
 */
const BATCH_LIMIT = 64 * 1024;

/** A frame with a body this large leaves as a WebSocket message of its own. */
const OWN_MESSAGE_BODY_BYTES = 16 * 1024;

export class Outbox {
  private readonly writer = new FrameWriter();
  private scheduled = false;
  /** Bytes one WebSocket message may hold; the server closes the connection past it. */
  maxMessageBytes = Number.POSITIVE_INFINITY;

  constructor(
    private readonly send: (message: Uint8Array) => void,
    /** Sends a frame's head and body as one message without joining them, where the transport can (transport.ts). */
    private readonly sendParts?: (head: Uint8Array, body: Uint8Array) => void,
  ) {}

  /** `header` is a frame header object, or its JSON text when the caller already has it. */
  write(header: object | string, body?: Uint8Array): void {
    const json = typeof header === 'string' ? header : JSON.stringify(header);
    if (body !== undefined && body.length >= OWN_MESSAGE_BODY_BYTES) {
      // Batching saves nothing on a large body, and would copy it twice (into the batch, out of it).
      this.flush();
      if (this.sendParts === undefined) this.send(encodeFrame(json, body));
      else this.sendParts(encodeFrameHead(json, body.length), body);
      return;
    }
    const size = 8 + json.length * 3 + (body?.length ?? 0);
    if (this.writer.size > 0 && this.writer.size + size > this.maxMessageBytes) this.flush();
    this.writer.add(json, body);
    if (this.writer.size >= BATCH_LIMIT) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Sends what is buffered now. */
  flush(): void {
    if (this.writer.count === 0) return;
    this.send(this.writer.take());
  }
}
