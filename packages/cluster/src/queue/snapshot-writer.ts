/**
 * Writes a replicated queue's snapshot (queue-snapshot.ts, format SNAPSHOT_V2) a slice at a time,
 * so that a member busy with a big backlog or a long window of seen ids never holds its event
 * loop for more than about a slice's budget. It works from an image taken at one log index (the
 * outline's plain values, the messages, which nobody changes, and the seen window's pieces,
 * which no later add or forget changes), so the queue goes on applying entries meanwhile and the
 * bytes still describe exactly that index.
 *
 * Two passes: each part is encoded (the outline's JSON, its long lists of entries a thousand at a
 * time, each chunk of seen ids, each message's fields), then, their sizes known, copied into one
 * buffer.
 */
import type { Message } from '@warren/core';
import type { SnapshotWriter } from '../machine.js';
import { SNAPSHOT_V2, type QueueOutline } from './queue-snapshot.js';
import { encodePiece, type SeenPiece } from './seen-window.js';

/** Entries of a list (ready, returned, out) per part of the snapshot. */
export const LIST_PART = 1024;

/** How many steps, or bytes copied, between two looks at the clock. */
const STEPS_PER_CHECK = 32;
const BYTES_PER_CHECK = 256 * 1024;

function fieldsOf({ id, exchange, routingKey, properties, headers, persistent, publishedAt }: Message): Buffer {
  return Buffer.from(JSON.stringify({ id, exchange, routingKey, properties, headers, persistent, publishedAt }));
}

export class QueueSnapshotWriter implements SnapshotWriter {
  /** Every part in order; each is written after its uint32 length. */
  readonly #parts: Uint8Array[] = [];
  #size = 1;
  /** The outline's long lists (returned, ram, unacked), written in parts of LIST_PART entries. */
  readonly #lists: readonly (readonly unknown[])[];
  /** Where the encoding pass is: the next list and entry, the next seen piece, then the next message. */
  #list = 0;
  #from = 0;
  #piece = 0;
  #message = 0;
  #out: Buffer | undefined;
  /** Where the copying pass is: the next part and the offset in the output. */
  #copied = 0;
  #at = 1;

  constructor(
    outline: QueueOutline,
    private readonly seen: readonly SeenPiece[],
    private readonly messages: readonly Message[],
  ) {
    const { returned, ram, unacked, ...rest } = outline;
    this.#lists = [returned, ram, unacked];
    const lists = this.#lists.map((list) => Math.ceil(list.length / LIST_PART));
    this.#add(Buffer.from(JSON.stringify({ ...rest, lists, seenChunks: seen.length })));
  }

  write(budgetMs: number): Uint8Array | undefined {
    const end = performance.now() + budgetMs;
    let steps = 0;
    let bytes = 0;
    const more = (): boolean => {
      if (++steps % STEPS_PER_CHECK !== 0 && bytes < BYTES_PER_CHECK) return true;
      bytes = 0;
      return performance.now() < end;
    };
    while (this.#list < this.#lists.length) {
      const list = this.#lists[this.#list]!;
      if (this.#from >= list.length) {
        this.#list++;
        this.#from = 0;
        continue;
      }
      this.#add(Buffer.from(JSON.stringify(list.slice(this.#from, this.#from + LIST_PART))));
      this.#from += LIST_PART;
      if (performance.now() >= end) return undefined;
    }
    while (this.#piece < this.seen.length) {
      this.#add(encodePiece(this.seen[this.#piece++]!));
      // A piece is up to a chunk of ids: look at the clock after each.
      if (performance.now() >= end) return undefined;
    }
    while (this.#message < this.messages.length) {
      const message = this.messages[this.#message++]!;
      this.#add(fieldsOf(message));
      this.#add(message.body);
      bytes += message.body.byteLength;
      if (!more()) return undefined;
    }
    const out = (this.#out ??= Buffer.allocUnsafe(this.#size));
    out[0] = SNAPSHOT_V2;
    while (this.#copied < this.#parts.length) {
      const part = this.#parts[this.#copied++]!;
      out.writeUInt32LE(part.byteLength, this.#at);
      out.set(part, this.#at + 4);
      this.#at += 4 + part.byteLength;
      bytes += part.byteLength;
      if (!more()) return this.#copied === this.#parts.length ? out : undefined;
    }
    return out;
  }

  #add(part: Uint8Array): void {
    this.#parts.push(part);
    this.#size += 4 + part.byteLength;
  }
}
