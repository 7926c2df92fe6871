/**
 * The public Client: topology requests, publish, consume, close. It composes the parts, each
 * with its own file (connection, requests, publisher, consumers, settlement) and routes the
 * frames the connection hands over to them; it holds no protocol state of its own. When a
 * connection is lost it decides what waits and what fails, and hands the reconnecting to
 * reconnector.ts, topology.ts / recovery.ts and consumers.ts (docs/client-failover.md).
 */
import { WarrenError, type ExchangeType, type OkFrame } from '@warren/protocol/wire';
import type { PolicyBody, PolicyView } from '@warren/protocol/http';
import { encodeBody, type PublishBody } from './body.js';
import type { Backoff } from './backoff.js';
import { Blocking } from './blocking.js';
import { ClientEventHub, type ClientEvent, type ClientEvents } from './client-events.js';
import type { ServerFrame } from './connection.js';
import { ConnectionStates, type ConnectionState } from './connection-states.js';
import { handlerSink, type Consumer, type MessageHandler } from './consumer.js';
import { Consumers, type ConsumeOptions } from './consumers.js';
import { errorFromWire } from './errors.js';
import type { Message } from './message.js';
import { MessageStream } from './message-stream.js';
import { browsePages, type BrowsedMessage, type BrowseOptions } from './browse.js';
import { toWireProperties } from './properties.js';
import { publishFieldsJson, type PublishFields } from './publish-fields.js';
import { Publisher, type PublishReceipt } from './publisher.js';
import { Link } from './link.js';
import { isRecoverable, Reconnector } from './reconnector.js';
import { recover } from './recovery.js';
import type { RequestBody } from './requests.js';
import { ScheduledMessages } from './scheduled.js';
import { Topology } from './topology.js';
import { nodeSocketOptions, resolveWebSocket, type WebSocketConstructor } from './transport.js';
import { TokenRefresher } from './token-refresh.js';
import { backoffFor, helloOf, urlsOf, type ConnectOptions, type PublishOptions } from './connect-options.js';

export type { ConnectOptions, PublishOptions } from './connect-options.js';

/**
 * Opens a connection to the first URL that takes it and completes the handshake; rejects with
 * the broker's reason when it refuses (with a list, each URL is tried once, in order).
 */
export function connect(url: string | readonly string[], options: ConnectOptions = {}): Promise<Client> {
  return Client.open(url, options);
}

export class Client {
  /** Called with errors the broker sends outside any request, such as `unknown_delivery_tag` or a cancelled consumer. */
  onError: ((error: WarrenError) => void) | undefined;
  /**
   * Resolves when the client is over: `undefined` after close(), else the error that ended it
   * (with reconnect on, `reconnect_failed` or an error no reconnect can fix).
   */
  readonly closed: Promise<WarrenError | undefined>;
  /** The vhost's delayed publishes and retry back-offs: list, cancel, reschedule. */
  readonly scheduled: ScheduledMessages;
  private resolveClosed!: (error: WarrenError | undefined) => void;
  private readonly link: Link;
  private readonly publisher: Publisher;
  private readonly consumers: Consumers;
  private readonly blocking: Blocking;
  private readonly events = new ClientEventHub();
  private readonly topology = new Topology();
  private stateMachine!: ConnectionStates;
  private reconnector: Reconnector | undefined;
  private tokens: TokenRefresher | undefined;
  /** Why new operations fail: set when close() starts or the client ends. */
  private ending: WarrenError | undefined;

  /** @internal Use connect(). */
  static async open(target: string | readonly string[], options: ConnectOptions): Promise<Client> {
    if (options.publishWindow !== undefined && !(options.publishWindow >= 1)) {
      throw new WarrenError('invalid_argument', `publishWindow must be at least 1, got ${options.publishWindow}`);
    }
    const urls = urlsOf(target);
    const backoff = backoffFor(target, options);
    const client = new Client(await resolveWebSocket(options.WebSocket), urls, options, backoff);
    if (typeof options.token === 'function') {
      client.tokens = new TokenRefresher(options.token, (token) => client.sendToken(token), (error) => client.report(error));
    }
    for (let index = 0; ; index++) {
      try {
        await client.link.open(index);
        break;
      } catch (error) {
        // The next URL may take us where this one was down; credentials it would refuse as well.
        if (index + 1 === urls.length || !isRecoverable(error)) throw error;
      }
    }
    client.publisher.window = client.link.window;
    client.stateMachine = new ConnectionStates(client.url, client.events);
    client.link.online();
    return client;
  }

  private constructor(
    WebSocket: WebSocketConstructor,
    urls: readonly string[],
    options: ConnectOptions,
    private readonly backoff: Backoff | undefined,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.link = new Link({
      WebSocket,
      socketOptions: (url) => nodeSocketOptions(url, options.maskFrames),
      urls,
      hello: helloOf(options),
      timeoutMs: options.connectTimeout ?? 10_000,
      publishWindow: options.publishWindow,
      tokens: () => this.tokens,
      frame: (frame, body) => this.route(frame, body),
      lost: (error) => this.lost(error),
    });
    this.publisher = new Publisher(
      (header, body) => this.link.write(header, body),
      () => this.events.emit('drain'),
    );
    this.consumers = new Consumers((frame) => this.request(frame), () => this.link.settlement);
    this.scheduled = new ScheduledMessages((frame) => this.request(frame));
    this.blocking = new Blocking(this.publisher, this.events);
  }

  /** The URL of the broker the client is connected (or reconnecting) to. */
  get url(): string {
    return this.link.url;
  }

  /** The connection's state now: `open`, `disconnected`, `reconnecting`, `failed` or `closed`. */
  get state(): ConnectionState {
    return this.stateMachine.current;
  }

  /**
   * The connection's state changes from now on, as an async iterator that ends after `failed`
   * or `closed`: `for await (const change of client.states()) …`.
   */
  states(): AsyncIterableIterator<ConnectionState> {
    return this.stateMachine.changes();
  }

  /** True while the broker has blocked this connection for a resource alarm (between the `blocked` and `unblocked` events). */
  get blocked(): boolean {
    return this.blocking.blocked;
  }

  /**
   * False while a publish would wait in the client (the publish window is full, or the broker
   * blocked the connection); the `drain` event says when it is true again. A producer that stops
   * while it is false keeps what it has in flight bounded, as with a Node stream's write().
   */
  get writable(): boolean {
    return this.ending === undefined && this.publisher.writable;
  }

  /**
   * `blocked`: a resource alarm (`reason`: memory or disk) is up on the broker and it stopped
   * reading this connection; publishes wait in the client. `unblocked`: every alarm cleared and
   * the waiting publishes go out. `drain`: `writable` turned true again.
   */
  on<E extends ClientEvent>(event: E, listener: ClientEvents[E]): this {
    this.events.on(event, listener);
    return this;
  }

  off<E extends ClientEvent>(event: E, listener: ClientEvents[E]): this {
    this.events.off(event, listener);
    return this;
  }

  async declareExchange(
    name: string,
    type: ExchangeType,
    options: { durable?: boolean; autoDelete?: boolean; internal?: boolean; passive?: boolean; arguments?: Record<string, unknown> } = {},
  ): Promise<void> {
    const { durable = true, autoDelete, internal, passive } = options;
    const frame = { type: 'exchange.declare', exchange: name, kind: type, durable, auto_delete: autoDelete, internal, passive, arguments: options.arguments } as const;
    await this.request(frame);
    this.topology.declaredExchange(frame);
  }

  async deleteExchange(name: string, options: { ifUnused?: boolean } = {}): Promise<void> {
    await this.request({ type: 'exchange.delete', exchange: name, if_unused: options.ifUnused });
    this.topology.deletedExchange(name);
  }

  /** An empty name asks the broker to name the queue (`amq.gen-…`), returned as `queue`. */
  async declareQueue(
    name = '',
    options: { durable?: boolean; exclusive?: boolean; autoDelete?: boolean; passive?: boolean; arguments?: Record<string, unknown> } = {},
  ): Promise<{ queue: string; messageCount: number; consumerCount: number }> {
    const { durable = true, exclusive, autoDelete, passive } = options;
    const frame = { type: 'queue.declare', queue: name, durable, exclusive, auto_delete: autoDelete, passive, arguments: options.arguments } as const;
    const reply = await this.request(frame);
    this.topology.declaredQueue(String(reply.queue), frame);
    return { queue: String(reply.queue), messageCount: Number(reply.message_count), consumerCount: Number(reply.consumer_count) };
  }

  async bind(queue: string, exchange: string, routingKey = '', args?: Record<string, unknown>): Promise<void> {
    const frame = { type: 'queue.bind', queue, exchange, routing_key: routingKey, arguments: args } as const;
    await this.request(frame);
    this.topology.bound(frame);
  }

  async unbind(queue: string, exchange: string, routingKey = '', args?: Record<string, unknown>): Promise<void> {
    const frame = { type: 'queue.unbind', queue, exchange, routing_key: routingKey, arguments: args } as const;
    await this.request(frame);
    this.topology.unbound(frame);
  }

  /** Routes messages from exchange `source` to exchange `destination`. */
  async bindExchange(destination: string, source: string, routingKey = '', args?: Record<string, unknown>): Promise<void> {
    const frame = { type: 'exchange.bind', destination, source, routing_key: routingKey, arguments: args } as const;
    await this.request(frame);
    this.topology.bound(frame);
  }

  async unbindExchange(destination: string, source: string, routingKey = '', args?: Record<string, unknown>): Promise<void> {
    const frame = { type: 'exchange.unbind', destination, source, routing_key: routingKey, arguments: args } as const;
    await this.request(frame);
    this.topology.unbound(frame);
  }

  async deleteQueue(name: string, options: { ifUnused?: boolean; ifEmpty?: boolean } = {}): Promise<{ messageCount: number }> {
    const reply = await this.request({ type: 'queue.delete', queue: name, if_unused: options.ifUnused, if_empty: options.ifEmpty });
    this.topology.deletedQueue(name);
    return { messageCount: Number(reply.message_count) };
  }

  async purgeQueue(name: string): Promise<{ messageCount: number }> {
    const reply = await this.request({ type: 'queue.purge', queue: name });
    return { messageCount: Number(reply.message_count) };
  }

  /**
   * Adds or replaces a policy of this connection's vhost (RabbitMQ's shape, as
   * `PUT /api/policies/{vhost}/{name}`): it applies at once to the matching queues and exchanges.
   */
  async setPolicy(name: string, policy: PolicyBody): Promise<void> {
    await this.request({ type: 'policy.declare', name, policy });
  }

  async deletePolicy(name: string): Promise<void> {
    await this.request({ type: 'policy.delete', name });
  }

  async listPolicies(): Promise<PolicyView[]> {
    const reply = await this.request({ type: 'policy.list' });
    return reply.policies as PolicyView[];
  }

  /**
   * The queue's ready messages in order, optionally filtered, without consuming or reordering
   * them (spec: "queue.browse"); fetched a page at a time, so leaving the loop early is cheap.
   */
  browse(queue: string, options: BrowseOptions = {}): AsyncGenerator<BrowsedMessage> {
    return browsePages((frame) => this.request(frame), queue, options);
  }

  /**
   * Resolves with the receipt when the broker confirms the message (spec: "Publishing", "Publish
   * receipts"). Bytes go as they are, a string as UTF-8 'text/plain', anything else as
   * 'application/json'. Waits while the publish window is full. Rejects with PublishNackedError
   * or MessageReturnedError.
   */
  publish(exchange: string, routingKey: string, body: PublishBody, options: PublishOptions = {}): Promise<PublishReceipt> {
    if (this.ending !== undefined) return Promise.reject(this.ending);
    let encoded;
    try {
      encoded = encodeBody(body);
    } catch (error) {
      return Promise.reject(error);
    }
    if (encoded.bytes.length > this.link.maxMessageSize) {
      return Promise.reject(new WarrenError('message_too_large', `${encoded.bytes.length} bytes; the broker takes at most ${this.link.maxMessageSize}`));
    }
    const properties = toWireProperties(options, encoded.contentType);
    const fields: PublishFields = { exchange, routingKey, properties };
    if (options.mandatory === true) fields.mandatory = true;
    if (options.headers !== undefined) fields.headers = options.headers;
    if (options.delay !== undefined && options.delay > 0) fields.delay = Math.round(options.delay);
    return this.publisher.publish(publishFieldsJson(fields), properties.persistent === true, encoded.bytes);
  }

  /** Calls `handler` for each message; the handler settles it (ack, nack or reject). */
  async consume(queue: string, handler: MessageHandler, options: ConsumeOptions = {}): Promise<Consumer> {
    const tag = await this.consumers.start(queue, options, handlerSink(handler));
    return { tag, cancel: () => this.cancel(tag) };
  }

  /** The queue's messages as an async iterator; leaving the loop cancels the consumer. */
  messages(queue: string, options: ConsumeOptions = {}): AsyncIterableIterator<Message> {
    return new MessageStream(
      (sink) => this.consumers.start(queue, options, sink),
      (tag) => this.cancel(tag),
    );
  }

  /** Cancels a consumer; an auto-delete queue it was the last consumer of is gone, so not declared again on reconnect. */
  private async cancel(tag: string): Promise<void> {
    const queue = await this.consumers.cancel(tag);
    if (queue !== undefined && this.topology.queue(queue)?.declaration.auto_delete === true && !this.consumers.consumes(queue)) {
      this.topology.deletedQueue(queue);
    }
  }

  /**
   * Sends a new access token for this connection (auth.refresh) and resolves once the broker
   * accepted it: from the provider given as `token` when called without one.
   */
  async refreshToken(token?: string): Promise<void> {
    if (token !== undefined) {
      await this.sendToken(token);
      this.tokens?.schedule(token);
    } else if (this.tokens !== undefined) await this.tokens.refresh();
    else throw new WarrenError('invalid_argument', 'refreshToken() without a token needs a token provider in connect()');
  }

  private async sendToken(token: string): Promise<void> {
    await this.request({ type: 'auth.refresh', token });
  }

  /**
   * Closes after the broker has answered everything sent before; publishes still waiting for
   * window room are rejected. While reconnecting it stops trying and rejects what waits.
   */
  async close(): Promise<void> {
    if (this.ending === undefined) {
      this.ending = new WarrenError('shutting_down', 'the client closed the connection');
      this.publisher.failWaiting(this.ending);
    }
    if (this.link.phase !== 'online') {
      this.reconnector?.stop();
      this.finish(undefined);
    }
    await this.link.close();
    await this.closed;
  }

  private request(frame: RequestBody): Promise<OkFrame> {
    if (this.ending !== undefined) return Promise.reject(this.ending);
    return this.link.request(frame);
  }

  /**
   * The connection was lost while online: the client reconnects when it may (reconnect on, not
   * closing, an error another connection can fix); otherwise it is over.
   */
  private lost(error: WarrenError | undefined): void {
    if (this.backoff === undefined || this.ending !== undefined || error === undefined || !isRecoverable(error)) {
      this.finish(error);
      return;
    }
    this.link.disconnect();
    this.tokens?.pause();
    // Offline first, so the release of a blocked publisher writes nothing to the lost connection.
    this.publisher.disconnect();
    this.blocking.reset();
    this.stateMachine.set({ state: 'disconnected', url: this.url, error });
    void this.reconnect(this.backoff);
  }

  private async reconnect(backoff: Backoff): Promise<void> {
    let renamed: Record<string, string> = {};
    this.reconnector = new Reconnector(this.link.urls, backoff, this.stateMachine, async (index) => {
      renamed = await recover(index, this.link, this.topology, this.consumers, (error) => this.report(error));
    });
    const outcome = await this.reconnector.run(this.link.index);
    this.reconnector = undefined;
    if (outcome === 'stopped') return;
    if ('error' in outcome) return this.finish(outcome.error);
    this.stateMachine.set({ state: 'open', url: this.url }, renamed);
    this.link.online();
    this.publisher.reconnect(this.link.window);
  }

  private route(frame: ServerFrame, body: Uint8Array): void {
    switch (frame.type) {
      case 'publish.ack':
        return this.publisher.onAck(frame);
      case 'publish.nack':
        return this.publisher.onNack(frame);
      case 'publish.return':
        return this.publisher.onReturn(frame);
      case 'deliver':
        return this.consumers.deliver(frame, body);
      case 'ok':
        this.link.answer(frame);
        return;
      case 'error':
        if (!this.link.answer(frame)) this.report(errorFromWire(frame.code, frame.message));
        return;
      case 'consumer.cancelled':
        return this.report(this.consumers.cancelled(frame));
      case 'connection.blocked':
        return this.blocking.onBlocked(frame);
      case 'connection.unblocked':
        return this.blocking.onUnblocked();
      default:
      // Frame types this client does not know come from a newer broker: ignored (forward compatibility).
    }
  }

  /** Hands an error to onError; a throwing hook surfaces as an uncaught error without breaking frame handling. */
  private report(error: WarrenError): void {
    try {
      this.onError?.(error);
    } catch (thrown) {
      queueMicrotask(() => {
        throw thrown;
      });
    }
  }

  /** The client is over: everything still waiting fails with why, and the state becomes `closed` or `failed`. */
  private finish(error: WarrenError | undefined): void {
    if (this.link.phase === 'ended') return;
    this.tokens?.stop();
    const reason = error ?? this.ending ?? new WarrenError('shutting_down', 'the connection is closed');
    this.ending = reason;
    this.link.end(reason);
    this.publisher.failAll(reason);
    this.consumers.endAll(error);
    this.stateMachine.set(error === undefined ? { state: 'closed' } : { state: 'failed', error });
    this.resolveClosed(error);
  }
}
