/**
 * One client connection: the handshake, per-connection state (publish confirms in sequence
 * order, delivery tags and unacked deliveries, consumers), heartbeats and flow control. It
 * consumes decoded messages and writes frames to a SessionSocket, so tests can drive it without
 * a real socket. What each frame means is in handlers/; the rules are in docs/protocol.md.
 */
import { decodeFragments, decodeFrames, encodeFrame, encodeFrameHead, FrameWriter, parseClientFrame, RepeatedHeaders, WarrenError, type ClientFrame, type HelloFrame, type RawFrame } from '@warren/protocol';
import type { Broker, Consumer, DeliverySink, Queue, QueueEntry, VHost } from '@warren/core';
import type { Config } from '../config.js';
import type { ServerLogger } from '../log.js';
import { PublisherBlock } from '../alarms/publisher-block.js';
import { ReadGate } from '../alarms/read-gate.js';
import { ConfirmTracker } from './confirm-tracker.js';
import { FrameTurns } from './frame-turns.js';
import { DEFAULT_USER } from '../audit/user.js';
import { deliverHeader } from './deliver-header.js';
import { RevokedTags } from './revoked-tags.js';
import { ConnectionInfo } from './connection-info.js';
import { SendBuffer } from './send-buffer.js';
import { FRAME_HEAD_ROOM } from './frame-head.js';
import { handleFrame } from './handlers/index.js';
import { SessionGuard, type SessionAuth } from '../auth/session-guard.js';

/** A frame with a body this large leaves as a WebSocket message of its own (send()). */
const OWN_MESSAGE_BODY_BYTES = 16 * 1024;

export interface SessionSocket {
  /** Bytes handed to the socket and not yet written out. */
  readonly bufferedAmount: number;
  send(data: Uint8Array, done: (error?: Error) => void): void;
  /**
   * Sends `head` then `body` as one WebSocket message, so that a large body is written from
   * where it lies. `head` starts with FRAME_HEAD_ROOM free bytes (frame-head.ts) for the socket's
   * own WebSocket frame head. Optional: without it, the session sends the two joined.
   */
  sendInParts?(head: Uint8Array, body: Uint8Array, done: (error?: Error) => void): void;
  pause(): void;
  resume(): void;
  close(code: number, reason: string): void;
}

export interface Delivery {
  entry: QueueEntry;
  consumer: Consumer;
}

/** `authenticating`: the hello is being checked; later frames wait (auth/session-guard.ts). */
export type SessionState = 'handshake' | 'authenticating' | 'open' | 'closing' | 'closed';

export class Session implements DeliverySink {
  state: SessionState = 'handshake';
  vhost: VHost | undefined;
  heartbeat = 0;
  /** Who the audit log records this connection's actions as (audit/user.ts). */
  user = DEFAULT_USER;
  readonly confirms: ConfirmTracker;
  /** Blocks this connection while a resource alarm is up, once it has published (alarms/). */
  readonly publisherBlock: PublisherBlock;
  private readonly readGate: ReadGate;
  /** Credit flow: reading waits while a queue this connection published into holds its publishers. */
  private readonly flowGate: { pause(): void; resume(): void };
  private heldBy: Queue | undefined;
  private readonly turns: FrameTurns;
  private readonly sendBuffer: SendBuffer;
  readonly consumers = new Map<string, Consumer>();
  /** Unsettled deliveries by tag; a Map iterates in insertion order, which is tag order. */
  readonly unacked = new Map<number, Delivery>();
  /** Deliveries taken back by the broker (ack lease expired): settling one is `delivery_expired`. */
  readonly revokedTags = new RevokedTags();
  /** For the management API (connection-info.ts). */
  readonly info = new ConnectionInfo();
  private nextDeliveryTag = 1;
  private readonly writer = new FrameWriter();
  private readonly repeatedHeaders = new RepeatedHeaders();
  private flushScheduled = false;
  private sentBytesPending = 0;
  private deliveriesBlocked = false;
  private lastReceived = Date.now();
  private sentSinceTick = false;
  private timer: NodeJS.Timeout | undefined;
  /** Authentication and per-frame checks; the listener always passes them, unit tests and the fuzzer may not. */
  readonly guard: SessionGuard | undefined;
  /** Frames received while the hello is being authenticated. */
  private held: RawFrame[] = [];

  constructor(
    readonly id: string,
    readonly socket: SessionSocket,
    readonly broker: Broker,
    readonly config: Config,
    readonly logger: ServerLogger,
    auth?: SessionAuth,
  ) {
    this.guard = auth === undefined ? undefined : new SessionGuard(this, auth);
    this.readGate = new ReadGate(socket);
    this.confirms = new ConfirmTracker({ socket: this.readGate.lever('publish window'), send: (frame) => this.send(frame), counters: broker.counters }, config.publishWindow);
    this.publisherBlock = new PublisherBlock(this.readGate.lever('resource alarm'), (frame) => this.send(frame));
    this.flowGate = this.readGate.lever('queue flow');
    this.turns = new FrameTurns(
      (raw) => this.handleRaw(raw),
      () => this.confirms.flush(),
      this.readGate.lever('frame turns'),
    );
    const unread = this.readGate.lever('peer not reading');
    this.sendBuffer = new SendBuffer(
      config,
      {
        pause: () => {
          this.turns.hold('peer not reading');
          unread.pause();
        },
        resume: () => {
          unread.resume();
          this.turns.release('peer not reading');
        },
      },
      (unsent) => this.fail(new WarrenError('peer_not_reading', `${unsent} bytes wait to be sent to a peer that does not read them`)),
    );
    this.timer = setTimeout(() => this.fail(new WarrenError('handshake_timeout')), config.handshakeTimeout);
  }

  /** Whether `user` was authenticated (audit log's user_verified). */
  get verified(): boolean {
    return this.guard?.principal !== undefined;
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /**
   * Takes one WebSocket message, whole or as the fragments it came in: one or more frames,
   * handled in order, in turns (frame-turns.ts).
   */
  receive(data: Uint8Array | readonly Uint8Array[]): void {
    if (this.state === 'closed') return;
    this.lastReceived = Date.now();
    if (data instanceof Uint8Array) this.info.recvOct += data.length;
    else for (const fragment of data) this.info.recvOct += fragment.length;
    this.info.recvCnt++;
    let frames;
    try {
      frames = data instanceof Uint8Array ? decodeFrames(data, this.repeatedHeaders) : decodeFragments(data, this.repeatedHeaders);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.turns.add(frames);
  }

  private handleRaw(raw: RawFrame): void {
    if (this.isClosed) return;
    if (this.state === 'authenticating') {
      this.held.push(raw);
      return;
    }
    try {
      const frame: ClientFrame = parseClientFrame(raw);
      // A request is traced by its connection and its id (docs/operations.md, "Logs").
      // Requests only: publishes, acks and deliveries carry no id and are the hot path.
      if ('id' in frame) this.logger.debug({ connection: this.id, request: frame.id, type: frame.type }, 'ws request');
      if (this.guard !== undefined && this.state === 'handshake' && frame.type === 'hello') {
        this.login(this.guard, frame);
        return;
      }
      if (this.guard !== undefined && this.state === 'open') {
        if (frame.type === 'auth.refresh') {
          void this.guard.refresh(frame);
          return;
        }
        this.guard.frames?.check(frame);
      }
      handleFrame(this, frame, raw.body);
      if (frame.type === 'publish') this.publisherBlock.published();
    } catch (error) {
      if (this.state === 'handshake' && error instanceof WarrenError && error.scope === 'operation') {
        this.fail(new WarrenError('handshake_required', `the first frame must be a valid hello: ${error.message}`));
        return;
      }
      this.reportError(error);
    }
  }

  private login(guard: SessionGuard, hello: HelloFrame): void {
    this.state = 'authenticating';
    const gate = this.readGate.lever('authentication');
    gate.pause();
    void guard.hello(hello).finally(() => {
      gate.resume();
      const held = this.held;
      this.held = [];
      if (this.state === 'open' && held.length > 0) this.turns.add(held);
    });
  }

  /** Opens the connection once the guard has authenticated its hello. */
  open(hello: HelloFrame): void {
    this.state = 'handshake';
    handleFrame(this, hello, new Uint8Array(0));
  }

  /** Sends an operation error to where it belongs, or ends the connection for the rest. */
  reportError(error: unknown): void {
    if (!(error instanceof WarrenError)) {
      this.logger.error({ err: error, connection: this.id }, 'unexpected error handling a frame');
      this.fail(new WarrenError('internal_error'));
      return;
    }
    if (error.scope === 'connection') {
      this.fail(error);
      return;
    }
    const seq = error.context?.seq;
    this.logger.debug({ connection: this.id, request: error.context?.id, seq, code: error.code, reason: error.message }, 'ws request failed');
    if (seq !== undefined && this.state === 'open') {
      this.confirms.nack(seq, error);
      return;
    }
    const id = error.context?.id;
    const frame = { type: 'error', id, code: error.code, reply_code: error.replyCode, message: error.message };
    // An error reply waits like an ok reply, so replies to requests arrive in request order.
    if (id === undefined) this.send(frame);
    else this.broker.afterWrites(() => this.send(frame));
  }

  /** Replies to a request once every write it caused is applied. */
  reply(id: number, fields: Record<string, unknown> = {}): void {
    this.broker.afterWrites((error) => {
      if (this.state === 'closed') return;
      if (error) this.send({ type: 'error', id, code: 'store_failed', reply_code: 541, message: error.message });
      else this.send({ type: 'ok', id, ...fields });
    });
  }

  send(header: object | string, body?: Uint8Array): void {
    if (this.state === 'closed') return;
    if (body !== undefined && body.length >= OWN_MESSAGE_BODY_BYTES) {
      // Batching saves nothing on a large body, and would copy it twice (into the batch, out of it).
      this.flush();
      this.writeLarge(header, body);
      return;
    }
    this.writer.add(header, body);
    this.sendBuffer.grew(this.sentBytesPending + this.writer.size);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Writes everything queued as one WebSocket message. */
  readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.writer.count === 0 || this.state === 'closed') return;
    this.write(this.writer.take());
  };

  private write(data: Uint8Array): void {
    this.sentBytesPending += data.length;
    this.sentSinceTick = true;
    this.socket.send(data, () => this.written(data.length));
    this.sendBuffer.grew(this.sentBytesPending + this.writer.size);
  }

  private writeLarge(header: object | string, body: Uint8Array): void {
    if (this.socket.sendInParts === undefined) {
      this.write(encodeFrame(header, body));
      return;
    }
    const head = encodeFrameHead(header, body.length, FRAME_HEAD_ROOM);
    const size = head.length - FRAME_HEAD_ROOM + body.length;
    this.sentBytesPending += size;
    this.sentSinceTick = true;
    this.socket.sendInParts(head, body, () => this.written(size));
    this.sendBuffer.grew(this.sentBytesPending + this.writer.size);
  }

  private written(size: number): void {
    this.sentBytesPending -= size;
    this.info.sendOct += size;
    this.info.sendCnt++;
    this.sendBuffer.shrank(this.sentBytesPending + this.writer.size);
    if (this.deliveriesBlocked && this.writable) {
      this.deliveriesBlocked = false;
      for (const consumer of this.consumers.values()) consumer.queue.dispatch();
    }
  }

  /** Whether credit flow holds this connection (the management API's `flow` state). */
  get inFlow(): boolean {
    return this.heldBy !== undefined;
  }

  /**
   * A queue this connection just published into holds its publishers (core's queue-flow.ts):
   * handle none of its frames and stop reading until it lets them go (the frames already read
   * wait in order, so a batch of publishes does not run past the queue's mark). Never while this connection holds unacked deliveries,
   * whose acks must go on being read for some queue to drain (its own, or the queue of a
   * connection that waits on ours): so credit flow cannot deadlock connections.
   */
  holdFor(queue: Queue): void {
    if (this.heldBy !== undefined || this.state !== 'open' || this.unacked.size > 0) return;
    this.heldBy = queue;
    this.turns.hold('queue flow');
    this.flowGate.pause();
    queue.flow.wait(() => {
      if (this.heldBy === queue) this.letGo();
    });
  }

  private letGo(): void {
    this.heldBy = undefined;
    if (this.state === 'closed') return;
    this.flowGate.resume();
    this.turns.release('queue flow');
  }

  // --- DeliverySink ------------------------------------------------------------------------

  /** Also notes that a queue found us full, so the next drained write wakes our consumers' queues. */
  get writable(): boolean {
    if (this.state !== 'open') return false;
    const ok = this.sentBytesPending + this.writer.size < this.config.deliveryBufferBytes;
    if (!ok) this.deliveriesBlocked = true;
    return ok;
  }

  deliver(consumer: Consumer, entry: QueueEntry): void {
    const tag = this.nextDeliveryTag++;
    const counters = this.broker.counters;
    if (consumer.options.noAck) {
      counters.deliveredConsumeAutoAck++;
      this.info.messageStats.deliver_no_ack++;
    } else {
      counters.deliveredConsumeManualAck++;
      this.info.messageStats.deliver++;
      this.unacked.set(tag, { entry, consumer });
      if (this.heldBy !== undefined) this.letGo();
    }
    if (entry.redelivered) counters.redelivered++;
    this.send(deliverHeader(consumer, entry, tag), entry.message.body);
  }

  /** Expiries are rare and mostly hit the oldest deliveries, so this scan from the oldest ends early. */
  revoked(consumer: Consumer, entry: QueueEntry): void {
    for (const [tag, delivery] of this.unacked) {
      if (delivery.entry !== entry || delivery.consumer !== consumer) continue;
      this.unacked.delete(tag);
      this.revokedTags.add(tag);
      return;
    }
  }

  cancelled(consumer: Consumer, code: 'queue_deleted', message: string): void {
    this.consumers.delete(consumer.tag);
    this.send({ type: 'consumer.cancelled', consumer_tag: consumer.tag, code, message });
  }

  // --- lifecycle ---------------------------------------------------------------------------

  /** Called by the hello handler once the connection is accepted. */
  opened(vhost: VHost, heartbeat: number): void {
    this.state = 'open';
    this.vhost = vhost;
    this.heartbeat = heartbeat;
    // Heartbeats count from the welcome: authenticating the hello may have taken a while.
    this.lastReceived = Date.now();
    clearTimeout(this.timer);
    this.timer = heartbeat > 0 ? setInterval(this.tick, heartbeat / 2) : undefined;
  }

  private readonly tick = (): void => {
    // While reading is paused the peer's heartbeats wait unread in the socket: silence proves nothing.
    if (this.readGate.paused) this.lastReceived = Date.now();
    else if (Date.now() - this.lastReceived > 2 * this.heartbeat) {
      this.fail(new WarrenError('heartbeat_timeout'));
      return;
    }
    if (!this.sentSinceTick) {
      this.send({ type: 'heartbeat' });
      this.flush();
    }
    // Reset after our own heartbeat's flush, so it does not count as traffic for the next tick.
    this.sentSinceTick = false;
  };

  /** Ends the connection because of an error: error frame, then close with the code's close code. */
  fail(error: unknown): void {
    if (this.state === 'closed') return;
    const warren = error instanceof WarrenError ? error : new WarrenError('internal_error');
    if (!(error instanceof WarrenError)) this.logger.error({ err: error, connection: this.id }, 'connection failed');
    else this.logger.info({ connection: this.id, code: warren.code, reason: warren.message }, 'closing connection on error');
    this.send({ type: 'error', code: warren.code, reply_code: warren.replyCode, message: warren.message });
    this.closeWith(warren.closeCode ?? 1011, warren.code);
  }

  /** Flushes what is queued, then closes the socket. */
  closeWith(code: number, reason: string): void {
    this.flush();
    // A paused socket would never read the peer's closing handshake, and ws would wait 30 s for it.
    if (this.readGate.paused) this.socket.resume();
    this.socket.close(code, reason.slice(0, 120));
    this.closed();
  }

  /** Cancels this connection's consumers: nothing more is delivered to it. */
  stopConsuming(): void {
    if (this.vhost === undefined) return;
    for (const consumer of this.consumers.values()) this.vhost.cancel(consumer);
    this.consumers.clear();
  }

  /** The socket is gone: release consumers, requeue unacked deliveries, drop exclusive queues. */
  closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.turns.stop();
    this.guard?.closed();
    this.held = [];
    clearTimeout(this.timer);
    clearInterval(this.timer);
    const vhost = this.vhost;
    if (vhost === undefined) return;
    this.stopConsuming();
    const byQueue = new Map<Consumer['queue'], Delivery[]>();
    for (const delivery of this.unacked.values()) {
      const list = byQueue.get(delivery.consumer.queue);
      if (list === undefined) byQueue.set(delivery.consumer.queue, [delivery]);
      else list.push(delivery);
    }
    this.unacked.clear();
    for (const [queue, deliveries] of byQueue) queue.requeueAll(deliveries);
    vhost.connectionClosed(this.id);
    this.confirms.abandon();
    this.logger.debug({ connection: this.id }, 'connection closed');
  }
}
