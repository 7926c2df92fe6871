/**
 * The client's link to a broker (docs/client-failover.md): the connection of the moment (one at
 * a time, replaced on reconnect), its Settlement (delivery tags are per connection), the requests
 * in flight on it, and the requests that wait for the next one. The client decides whether a
 * lost connection is reconnected; this file only keeps each request where it belongs meanwhile.
 */
import { DEFAULT_MAX_MESSAGE_SIZE, WarrenError, type ErrorFrame, type HelloFrame, type OkFrame } from '@warren/protocol/wire';
import { Connection, type ServerFrame } from './connection.js';
import { Fifo } from './fifo.js';
import { Requests, type PendingRequest, type RequestBody } from './requests.js';
import { Settlement } from './settlement.js';
import type { TokenRefresher } from './token-refresh.js';
import type { NodeSocketOptions, WebSocketConstructor } from './transport.js';

/**
 * `online` is the only phase in which requests are written as they come. `offline`: between
 * attempts; `recovering`: an attempt runs on a new connection, only its own requests go out.
 */
export type Phase = 'connecting' | 'online' | 'offline' | 'recovering' | 'ended';

/** Requests sent again after a loss: doing them twice does no harm. Deletes, purges and scheduled changes could. */
const RESENT = new Set<RequestBody['type']>([
  'exchange.declare',
  'exchange.bind',
  'exchange.unbind',
  'queue.declare',
  'queue.bind',
  'queue.unbind',
  'queue.browse',
  'consume',
  'policy.declare',
  'policy.list',
  'scheduled.list',
  'auth.refresh',
]);

/** The answer to a cancel while disconnected: the lost connection took its consumers with it. */
const CANCELLED: OkFrame = { type: 'ok', id: 0 };

export interface LinkOptions {
  WebSocket: WebSocketConstructor;
  /** The `ws` options for a connection to this URL (transport.ts: nodeSocketOptions). */
  socketOptions: (url: string) => NodeSocketOptions;
  urls: readonly string[];
  hello: HelloFrame;
  timeoutMs: number;
  publishWindow: number | undefined;
  /** The client's token provider, if it has one: asked for a token before each connection. */
  tokens: () => TokenRefresher | undefined;
  /** A frame of the current connection. */
  frame(frame: ServerFrame, body: Uint8Array): void;
  /** The current connection ended while online: `undefined` for a clean close. */
  lost(error: WarrenError | undefined): void;
}

export class Link {
  phase: Phase = 'connecting';
  index = 0;
  /** The current connection's; settling a delivery of a lost one sends nothing. */
  settlement = new Settlement(() => {});
  maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
  /** The publish window the current connection allows. */
  window = Number.POSITIVE_INFINITY;
  private connection: Connection | undefined;
  private readonly requests = new Requests();
  private readonly deferred = new Fifo<PendingRequest>();

  constructor(private readonly options: LinkOptions) {}

  get urls(): readonly string[] {
    return this.options.urls;
  }

  get url(): string {
    return this.options.urls[this.index]!;
  }

  /** A token for the connection now open, to check later whether it is still the one (isCurrent). */
  get current(): object | undefined {
    return this.connection;
  }

  /** Still the connection the client works on: not replaced, not lost, the client not ended. */
  isCurrent(connection: object | undefined): boolean {
    return connection !== undefined && connection === this.connection && this.phase !== 'ended';
  }

  write(header: object | string, body?: Uint8Array): void {
    this.connection?.write(header, body);
  }

  /** Opens a connection to urls[index] and completes the handshake; the current connection from then on. */
  async open(index: number): Promise<void> {
    const hello = { ...this.options.hello };
    const tokens = this.options.tokens();
    // Before the socket opens: however long the provider takes must not count against the broker's handshake timeout.
    if (tokens !== undefined) hello.token = await tokens.first();
    // close() may have come while the provider worked: no connection may open after it.
    if (this.phase === 'ended') throw new WarrenError('shutting_down', 'the client closed the connection');
    const connection: Connection = new Connection(this.options.WebSocket, this.options.urls[index]!, this.options.socketOptions(this.options.urls[index]!), {
      frame: (frame, body) => {
        if (connection === this.connection) this.options.frame(frame, body);
      },
      end: (error) => this.ended(connection, error),
    });
    this.connection = connection;
    this.index = index;
    this.settlement = new Settlement((frame) => connection.write(frame));
    const welcome = await connection.handshake(hello, this.options.timeoutMs);
    if (hello.token !== undefined) tokens?.schedule(hello.token);
    this.maxMessageSize = welcome.max_message_size || DEFAULT_MAX_MESSAGE_SIZE;
    this.window = this.options.publishWindow ?? (welcome.publish_window || Number.POSITIVE_INFINITY);
  }

  /** Writes the request now when online; otherwise it waits for the reconnect. */
  request(frame: RequestBody): Promise<OkFrame> {
    if (this.phase === 'online') return this.send(frame);
    // While recovering, a cancel must follow the consume that resumes its consumer.
    if (frame.type === 'cancel' && this.phase === 'offline') return Promise.resolve(CANCELLED);
    return new Promise((resolve, reject) => this.deferred.push({ frame, resolve, reject }));
  }

  /** Writes the request on the current connection whatever the phase (recovery's own requests). */
  send(frame: RequestBody): Promise<OkFrame> {
    const { id, reply } = this.requests.open(frame);
    this.connection?.write({ ...frame, id });
    return reply;
  }

  /** Settles the request an `ok` or `error` answers; false when none has its id. */
  answer(frame: OkFrame | ErrorFrame): boolean {
    return this.requests.answer(frame);
  }

  /**
   * Goes offline after a loss: requests that may be sent twice wait for the next connection, a
   * cancel is done (the broker dropped the consumer), the others reject with `connection_lost`.
   */
  disconnect(): void {
    this.phase = 'offline';
    this.settlement.clear();
    for (const request of this.requests.detach()) {
      if (request.frame.type === 'cancel') request.resolve(CANCELLED);
      else if (RESENT.has(request.frame.type)) this.deferred.push(request);
      else request.reject(new WarrenError('connection_lost', `the connection to ${this.url} was lost before the broker answered ${request.frame.type}: it may or may not have been done`));
    }
  }

  /** A reconnect attempt failed: between attempts, what its deliveries left unsettled is gone with it. */
  attemptFailed(): void {
    if (this.phase === 'ended') return;
    this.phase = 'offline';
    this.settlement.clear();
  }

  /** Online again: the waiting requests go out, oldest first. */
  online(): void {
    this.phase = 'online';
    for (const request of this.deferred.drain()) this.connection?.write({ ...request.frame, id: this.requests.adopt(request) });
  }

  /** The end: every request fails with `reason`. */
  end(reason: WarrenError): void {
    this.phase = 'ended';
    this.requests.failAll(reason);
    for (const request of this.deferred.drain()) request.reject(reason);
    this.settlement.clear();
  }

  /** Closes the current connection, if any, after the broker answered what was sent before. */
  async close(): Promise<void> {
    await this.connection?.close(this.options.timeoutMs);
  }

  private ended(connection: Connection, error: WarrenError | undefined): void {
    if (connection !== this.connection) return;
    this.connection = undefined;
    // Connecting or recovering: that attempt fails with its requests.
    if (this.phase === 'online') this.options.lost(error);
    else this.requests.failAll(error ?? new WarrenError('connection_lost', 'the connection closed'));
  }
}
