/**
 * The public Client: topology requests, publish, consume, close. It composes the parts, each
 * with its own file (connection, requests, publisher, consumers, settlement) and routes the
 * frames the connection hands over to them; it holds no protocol state of its own.
 */
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  PROTOCOL_VERSION,
  WarrenError,
  type ExchangeType,
  type HelloFrame,
  type OkFrame,
} from '@warren/protocol/wire';
import type { PolicyBody, PolicyView } from '@warren/protocol/http';
import { encodeBody, type PublishBody } from './body.js';
import { Blocking } from './blocking.js';
import { ClientEventHub, type ClientEvent, type ClientEvents } from './client-events.js';
import { Connection, type ServerFrame } from './connection.js';
import { handlerSink, type Consumer, type MessageHandler } from './consumer.js';
import { Consumers, type ConsumeOptions } from './consumers.js';
import { errorFromWire } from './errors.js';
import type { Message } from './message.js';
import { MessageStream } from './message-stream.js';
import { browsePages, type BrowsedMessage, type BrowseOptions } from './browse.js';
import { toWireProperties, type PublishProperties } from './properties.js';
import { publishFieldsJson, type PublishFields } from './publish-fields.js';
import { Publisher, type PublishReceipt } from './publisher.js';
import { Requests, type RequestBody } from './requests.js';
import { ScheduledMessages } from './scheduled.js';
import { Settlement } from './settlement.js';
import { resolveWebSocket, type WebSocketConstructor } from './transport.js';
import { TokenRefresher, type TokenProvider } from './token-refresh.js';

export interface ConnectOptions {
  /** Default '/'. */
  vhost?: string;
  username?: string;
  password?: string;
  /**
   * A JWT access token instead of username and password, or a function that returns one (it is
   * called at connect and again before each token expires; the new token is sent as auth.refresh).
   */
  token?: string | TokenProvider;
  /** Proposed heartbeat interval in ms (default 30000); 0 turns heartbeats off. */
  heartbeat?: number;
  /** Sent as `hello.client`; the broker's `connection opened` log line names the connection by it. */
  name?: string;
  /** Default: the global WebSocket, else the `ws` package. */
  WebSocket?: WebSocketConstructor;
  /** Most publishes awaiting their confirm at once; default: the broker's publish_window. */
  publishWindow?: number;
  /** Ms to open the socket and complete the handshake (default 10000); also bounds close(). */
  connectTimeout?: number;
}

export interface PublishOptions extends PublishProperties {
  /** Return the message (rejecting with MessageReturnedError) when no queue takes it. */
  mandatory?: boolean;
  /** Hold the message this many ms before routing it; the publish is confirmed once it is stored. */
  delay?: number;
  headers?: Record<string, unknown>;
}

/** Opens a connection and completes the handshake; rejects with the broker's reason when it refuses. */
export function connect(url: string, options: ConnectOptions = {}): Promise<Client> {
  return Client.open(url, options);
}

export class Client {
  /** Called with errors the broker sends outside any request, such as `unknown_delivery_tag` or a cancelled consumer. */
  onError: ((error: WarrenError) => void) | undefined;
  /** Resolves when the connection ends: `undefined` after a clean close, else the error that ended it. */
  readonly closed: Promise<WarrenError | undefined>;
  /** The vhost's delayed publishes and retry back-offs: list, cancel, reschedule. */
  readonly scheduled: ScheduledMessages;
  private readonly connection: Connection;
  private readonly requests = new Requests();
  private readonly publisher: Publisher;
  private readonly settlement: Settlement;
  private readonly consumers: Consumers;
  private readonly blocking: Blocking;
  private readonly events = new ClientEventHub();
  private maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
  private tokens: TokenRefresher | undefined;
  /** Why new operations fail: set when close() starts or the connection ends. */
  private ending: WarrenError | undefined;

  /** @internal Use connect(). */
  static async open(url: string, options: ConnectOptions): Promise<Client> {
    if (options.publishWindow !== undefined && !(options.publishWindow >= 1)) {
      throw new WarrenError('invalid_argument', `publishWindow must be at least 1, got ${options.publishWindow}`);
    }
    const hello: HelloFrame = { type: 'hello', version: PROTOCOL_VERSION, vhost: options.vhost ?? '/', heartbeat: options.heartbeat ?? 30_000 };
    if (options.username !== undefined) hello.username = options.username;
    if (options.password !== undefined) hello.password = options.password;
    if (options.name !== undefined) hello.client = options.name;
    if (typeof options.token === 'string') hello.token = options.token;
    let client: Client | undefined;
    let tokens: TokenRefresher | undefined;
    if (typeof options.token === 'function') {
      tokens = new TokenRefresher(options.token, (token) => client!.sendToken(token), (error) => client!.report(error));
      // Before the socket opens: however long the provider takes must not count against the broker's handshake timeout.
      hello.token = await tokens.first();
    }
    client = new Client(await resolveWebSocket(options.WebSocket), url, options.connectTimeout ?? 10_000);
    client.tokens = tokens;
    const welcome = await client.connection.handshake(hello, client.timeoutMs);
    if (hello.token !== undefined) client.tokens?.schedule(hello.token);
    client.maxMessageSize = welcome.max_message_size || DEFAULT_MAX_MESSAGE_SIZE;
    client.publisher.window = options.publishWindow ?? (welcome.publish_window || Number.POSITIVE_INFINITY);
    return client;
  }

  private constructor(WebSocket: WebSocketConstructor, url: string, private readonly timeoutMs: number) {
    this.connection = new Connection(WebSocket, url, { frame: (frame, body) => this.route(frame, body), end: (error) => this.end(error) });
    this.closed = this.connection.closed;
    this.publisher = new Publisher(
      (header, body) => this.connection.write(header, body),
      () => this.events.emit('drain'),
    );
    this.settlement = new Settlement((frame) => this.connection.write(frame));
    this.consumers = new Consumers((frame) => this.request(frame), this.settlement);
    this.scheduled = new ScheduledMessages((frame) => this.request(frame));
    this.blocking = new Blocking(this.publisher, this.events);
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
    await this.request({ type: 'exchange.declare', exchange: name, kind: type, durable, auto_delete: autoDelete, internal, passive, arguments: options.arguments });
  }

  async deleteExchange(name: string, options: { ifUnused?: boolean } = {}): Promise<void> {
    await this.request({ type: 'exchange.delete', exchange: name, if_unused: options.ifUnused });
  }

  /** An empty name asks the broker to name the queue (`amq.gen-…`), returned as `queue`. */
  async declareQueue(
    name = '',
    options: { durable?: boolean; exclusive?: boolean; autoDelete?: boolean; passive?: boolean; arguments?: Record<string, unknown> } = {},
  ): Promise<{ queue: string; messageCount: number; consumerCount: number }> {
    const { durable = true, exclusive, autoDelete, passive } = options;
    const reply = await this.request({ type: 'queue.declare', queue: name, durable, exclusive, auto_delete: autoDelete, passive, arguments: options.arguments });
    return { queue: String(reply.queue), messageCount: Number(reply.message_count), consumerCount: Number(reply.consumer_count) };
  }

  async bind(queue: string, exchange: string, routingKey = '', args?: Record<string, unknown>): Promise<void> {
    await this.request({ type: 'queue.bind', queue, exchange, routing_key: routingKey, arguments: args });
  }

  async unbind(queue: string, exchange: string, routingKey = '', args?: Record<string, unknown>): Promise<void> {
    await this.request({ type: 'queue.unbind', queue, exchange, routing_key: routingKey, arguments: args });
  }

  /** Routes messages from exchange `source` to exchange `destination`. */
  async bindExchange(destination: string, source: string, routingKey = '', args?: Record<string, unknown>): Promise<void> {
    await this.request({ type: 'exchange.bind', destination, source, routing_key: routingKey, arguments: args });
  }

  async unbindExchange(destination: string, source: string, routingKey = '', args?: Record<string, unknown>): Promise<void> {
    await this.request({ type: 'exchange.unbind', destination, source, routing_key: routingKey, arguments: args });
  }

  async deleteQueue(name: string, options: { ifUnused?: boolean; ifEmpty?: boolean } = {}): Promise<{ messageCount: number }> {
    const reply = await this.request({ type: 'queue.delete', queue: name, if_unused: options.ifUnused, if_empty: options.ifEmpty });
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
    if (encoded.bytes.length > this.maxMessageSize) {
      return Promise.reject(new WarrenError('message_too_large', `${encoded.bytes.length} bytes; the broker takes at most ${this.maxMessageSize}`));
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
    return { tag, cancel: () => this.consumers.cancel(tag) };
  }

  /** The queue's messages as an async iterator; leaving the loop cancels the consumer. */
  messages(queue: string, options: ConsumeOptions = {}): AsyncIterableIterator<Message> {
    return new MessageStream(
      (sink) => this.consumers.start(queue, options, sink),
      (tag) => this.consumers.cancel(tag),
    );
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

  /** Closes after the broker has answered everything sent before; publishes still waiting for window room are rejected. */
  async close(): Promise<void> {
    if (this.ending === undefined) {
      this.ending = new WarrenError('shutting_down', 'the client closed the connection');
      this.publisher.failWaiting(this.ending);
    }
    await this.connection.close(this.timeoutMs);
  }

  private async request(frame: RequestBody): Promise<OkFrame> {
    if (this.ending !== undefined) throw this.ending;
    const { id, reply } = this.requests.open();
    this.connection.write({ ...frame, id });
    return reply;
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
        this.requests.answer(frame);
        return;
      case 'error':
        if (!this.requests.answer(frame)) this.report(errorFromWire(frame.code, frame.message));
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

  private end(error: WarrenError | undefined): void {
    this.tokens?.stop();
    const reason = error ?? this.ending ?? new WarrenError('shutting_down', 'the connection is closed');
    this.ending = reason;
    this.requests.failAll(reason);
    this.publisher.failAll(reason);
    this.settlement.clear();
    this.consumers.endAll(error);
  }
}
