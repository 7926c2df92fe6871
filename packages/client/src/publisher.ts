/**
 * Publisher confirms and the publish window (spec: "Publishing"). Each publish gets the next
 * seq when it is written and a promise that its publish.ack resolves with a receipt and its
 * publish.nack or publish.return rejects. The receipt is what the client published (persistent
 * or not) corrected by the ack's `transient` mark and `duplicate` list (spec: "Publish receipts"). At most `window`
 * publishes, and about `windowBytes` of bodies, are unanswered at once; later ones wait in FIFO
 * order and are written as answers free room. Encoding the body is the caller's job.
 *
 * When the connection is lost (docs/client-failover.md), disconnect() puts every unanswered
 * publish back at the head of the line, in its order, and holds everything until reconnect():
 * they go out again on the new connection with new seqs (at-least-once). Each keeps its frame
 * and body until answered for that.
 */
import type { PublishAckFrame, PublishNackFrame, PublishReturnFrame, WarrenError } from '@warren/protocol/wire';
import { MessageReturnedError, PublishNackedError } from './errors.js';
import { Fifo } from './fifo.js';
import { Unconfirmed } from './unconfirmed.js';

const DEFAULT_WINDOW_BYTES = 16 * 1024 * 1024;

/** What the broker's confirm says about one publish. */
export interface PublishReceipt {
  /** The publish's sequence number on its connection. */
  seq: number;
  /** The message is on disk: published persistent and held by a queue that survives restarts. */
  durable: boolean;
  /** Nodes that hold it: 1 on a single node. */
  replicas: number;
  /** Deduplicated: every queue it was routed to had taken this message id within its dedup window. */
  duplicate: boolean;
}

interface Confirm {
  resolve(receipt: PublishReceipt): void;
  reject(error: Error): void;
  /** Rejected by a publish.return: the ack that follows only frees its room in the window. */
  returned: boolean;
  persistent: boolean;
  /** Body bytes, counted against windowBytes while unanswered. */
  bytes: number;
  /** Kept to publish it again on a new connection. */
  fieldsJson: string;
  body: Uint8Array;
}

export class Publisher {
  /** Unanswered publishes by seq. */
  private readonly unconfirmed = new Unconfirmed<Confirm>();
  private readonly waiting = new Fifo<Confirm>();
  private lastSeq = 0;
  private unconfirmedBytes = 0;
  window = Number.POSITIVE_INFINITY;
  /**
   * Body bytes unanswered at once, beside the count: 4,096 publishes of 64 KiB would queue
   * 256 MiB in the socket and wait seconds there, where this much keeps the broker busy.
   */
  windowBytes = DEFAULT_WINDOW_BYTES;
  /** The broker blocked the connection (`connection.blocked`): new publishes wait here instead of the socket. */
  private held = false;
  /** `writable` has been false since the last drain. */
  private full = false;
  /** No connection: publishes wait here until reconnect(). */
  private offline = false;

  /** `write` takes the frame header as JSON text; `drained` is told when `writable` turns true again. */
  constructor(
    private readonly write: (header: string, body: Uint8Array) => void,
    private readonly drained: () => void = () => {},
  ) {}

  /** A publish now would be written at once: none waits, and the window has room. */
  get writable(): boolean {
    return this.waiting.size === 0 && this.hasRoom;
  }

  /** `fieldsJson` is the JSON text of the frame's fields (publish-fields.ts), without type and seq. */
  publish(fieldsJson: string, persistent: boolean, body: Uint8Array): Promise<PublishReceipt> {
    return new Promise<PublishReceipt>((resolve, reject) => {
      const confirm: Confirm = { resolve, reject, returned: false, persistent, bytes: body.length, fieldsJson, body };
      if (this.waiting.size === 0 && this.hasRoom) this.send(confirm);
      else this.waiting.push(confirm);
      if (!this.writable) this.full = true;
    });
  }

  onAck(frame: PublishAckFrame): void {
    const duplicates = frame.duplicate === undefined ? undefined : new Set(frame.duplicate);
    if (frame.multiple === true) {
      // Cumulative: every unanswered seq up to frame.seq (a nacked seq has already left).
      this.unconfirmed.takeUpTo(frame.seq, (seq, confirm) => {
        this.unconfirmedBytes -= confirm.bytes;
        if (!confirm.returned) confirm.resolve(receiptOf(seq, confirm, frame, duplicates));
      });
    } else {
      const confirm = this.unconfirmed.take(frame.seq);
      if (confirm !== undefined) this.unconfirmedBytes -= confirm.bytes;
      if (confirm !== undefined && !confirm.returned) confirm.resolve(receiptOf(frame.seq, confirm, frame, duplicates));
    }
    this.drain();
  }

  onNack(frame: PublishNackFrame): void {
    const confirm = this.unconfirmed.take(frame.seq);
    if (confirm === undefined) return;
    this.unconfirmedBytes -= confirm.bytes;
    if (!confirm.returned) confirm.reject(new PublishNackedError(frame.seq, frame.code, frame.message));
    this.drain();
  }

  /** Rejects at once; the seq keeps its room in the window until the publish.ack that follows. */
  onReturn(frame: PublishReturnFrame): void {
    const confirm = this.unconfirmed.get(frame.seq);
    if (confirm === undefined || confirm.returned) return;
    confirm.returned = true;
    confirm.reject(new MessageReturnedError(frame.seq, frame.exchange, frame.routing_key, frame.reply_code, frame.message));
  }

  /** Stops writing publishes; they wait, in order, until release(). */
  hold(): void {
    this.held = true;
    this.full = true;
  }

  release(): void {
    this.held = false;
    this.drain();
  }

  private get hasRoom(): boolean {
    // Bytes are checked before a publish is added, so a body larger than windowBytes still goes.
    return !this.held && !this.offline && this.unconfirmed.size < this.window && this.unconfirmedBytes < this.windowBytes;
  }

  /** Rejects the publishes not yet written; written ones still get their answers. */
  failWaiting(error: WarrenError): void {
    for (const waiting of this.waiting.drain()) waiting.reject(error);
  }

  /**
   * The connection is lost: unanswered publishes (but those already rejected by a return) go
   * back ahead of the waiting ones, in seq order, and nothing is written until reconnect().
   * Their outcome is unknown, so they are published again: at-least-once.
   */
  disconnect(): void {
    this.offline = true;
    this.full = true;
    const again = this.unconfirmed.clear().filter((confirm) => !confirm.returned);
    for (const waiting of this.waiting.drain()) again.push(waiting);
    for (const confirm of again) this.waiting.push(confirm);
    this.unconfirmedBytes = 0;
    this.lastSeq = 0;
  }

  /** A new connection is ready: seqs start again at 1 and the held publishes go out. */
  reconnect(window: number): void {
    this.offline = false;
    this.window = window;
    this.drain();
  }

  failAll(error: WarrenError): void {
    this.failWaiting(error);
    for (const confirm of this.unconfirmed.clear()) if (!confirm.returned) confirm.reject(error);
    this.unconfirmedBytes = 0;
  }

  private drain(): void {
    while (this.hasRoom) {
      const next = this.waiting.shift();
      if (next === undefined) break;
      this.send(next);
    }
    if (this.full && this.writable) {
      this.full = false;
      this.drained();
    }
  }

  /** Splices type and seq into the fields' JSON: cheaper on this hot path than a new object and a second stringify. */
  private send(confirm: Confirm): void {
    const seq = ++this.lastSeq;
    this.unconfirmed.add(seq, confirm);
    this.unconfirmedBytes += confirm.bytes;
    this.write(`{"type":"publish","seq":${seq},${confirm.fieldsJson.slice(1)}`, confirm.body);
  }
}

function receiptOf(seq: number, confirm: Confirm, ack: PublishAckFrame, duplicates: Set<number> | undefined): PublishReceipt {
  return {
    seq,
    durable: confirm.persistent && ack.transient !== true,
    replicas: ack.replicas ?? 1,
    duplicate: duplicates?.has(seq) === true,
  };
}
