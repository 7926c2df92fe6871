/**
 * The registry of Warren's stable error codes: the one place a code, its AMQP reply code, its
 * scope and its human message template are defined. docs/protocol.md carries the same table and
 * a test keeps the two in sync. Errors are identified by `code`, never by their text.
 */

/** What an error ends: one operation (a request, a publish), or the whole connection. */
export type ErrorScope = 'operation' | 'connection';

export interface ErrorSpec {
  /** AMQP 0-9-1 reply code with the same meaning, for users coming from RabbitMQ. */
  readonly replyCode: number;
  readonly scope: ErrorScope;
  /** WebSocket close code sent when the scope is `connection`. */
  readonly closeCode?: number;
  readonly message: string;
}

export const ERRORS = {
  frame_malformed: { replyCode: 501, scope: 'connection', closeCode: 1002, message: 'the message could not be decoded into frames' },
  frame_too_large: { replyCode: 501, scope: 'connection', closeCode: 1009, message: 'the WebSocket message is larger than the frame limit' },
  frame_unknown: { replyCode: 503, scope: 'operation', message: 'unknown frame type' },
  frame_invalid: { replyCode: 502, scope: 'operation', message: 'a frame field is missing or has the wrong type' },
  handshake_required: { replyCode: 530, scope: 'connection', closeCode: 4001, message: 'the first frame must be hello' },
  handshake_timeout: { replyCode: 530, scope: 'connection', closeCode: 4002, message: 'no hello frame in time' },
  unsupported_version: { replyCode: 505, scope: 'connection', closeCode: 4003, message: 'protocol version not supported' },
  connection_limit: { replyCode: 530, scope: 'connection', closeCode: 4006, message: 'the broker has reached its connection limit' },
  peer_not_reading: { replyCode: 320, scope: 'connection', closeCode: 4007, message: 'the peer does not read what the broker sends' },
  access_refused: { replyCode: 403, scope: 'operation', message: 'access refused' },
  not_authorized: { replyCode: 403, scope: 'connection', closeCode: 4013, message: 'missing or wrong credentials' },
  vhost_access_refused: { replyCode: 530, scope: 'connection', closeCode: 4011, message: 'the user has no access to this vhost' },
  token_expired: { replyCode: 320, scope: 'connection', closeCode: 4012, message: 'the access token has expired' },
  vhost_not_found: { replyCode: 530, scope: 'connection', closeCode: 4004, message: 'no such vhost' },
  heartbeat_timeout: { replyCode: 320, scope: 'connection', closeCode: 4005, message: 'no frame from the peer within two heartbeat intervals' },
  connection_forced: { replyCode: 320, scope: 'connection', closeCode: 4010, message: 'an operator closed the connection' },
  node_isolated: { replyCode: 320, scope: 'connection', closeCode: 4008, message: 'this node is cut off from the majority of its cluster; connect to another node' },
  shutting_down: { replyCode: 320, scope: 'connection', closeCode: 1001, message: 'the broker is shutting down' },
  connection_lost: { replyCode: 320, scope: 'operation', message: 'the connection was lost before the broker answered' },
  reconnect_failed: { replyCode: 320, scope: 'operation', message: 'the client gave up reconnecting' },
  not_found: { replyCode: 404, scope: 'operation', message: 'no such object' },
  exchange_not_found: { replyCode: 404, scope: 'operation', message: 'no such exchange' },
  queue_not_found: { replyCode: 404, scope: 'operation', message: 'no such queue' },
  consumer_not_found: { replyCode: 404, scope: 'operation', message: 'no such consumer' },
  redrive_not_found: { replyCode: 404, scope: 'operation', message: 'no such redrive job' },
  scheduled_not_found: { replyCode: 404, scope: 'operation', message: 'no such scheduled message' },
  precondition_failed: { replyCode: 406, scope: 'operation', message: 'precondition failed' },
  exchange_conflict: { replyCode: 406, scope: 'operation', message: 'exchange exists with different properties' },
  queue_conflict: { replyCode: 406, scope: 'operation', message: 'queue exists with different properties' },
  invalid_argument: { replyCode: 406, scope: 'operation', message: 'invalid argument' },
  name_too_long: { replyCode: 414, scope: 'operation', message: 'a name is longer than 255 characters' },
  reserved_name: { replyCode: 403, scope: 'operation', message: 'names starting with amq. are reserved' },
  in_use: { replyCode: 406, scope: 'operation', message: 'the object is in use' },
  not_empty: { replyCode: 406, scope: 'operation', message: 'the queue is not empty' },
  resource_locked: { replyCode: 405, scope: 'operation', message: 'the queue is exclusive to another connection' },
  consumer_tag_in_use: { replyCode: 530, scope: 'operation', message: 'the consumer tag is already in use on this connection' },
  consumer_limit: { replyCode: 530, scope: 'operation', message: 'this connection has reached its consumer limit' },
  queue_limit: { replyCode: 530, scope: 'operation', message: 'the broker has reached its queue limit' },
  exclusive_consumer: { replyCode: 403, scope: 'operation', message: 'the queue has an exclusive consumer' },
  unknown_delivery_tag: { replyCode: 406, scope: 'operation', message: 'unknown delivery tag' },
  delivery_expired: { replyCode: 406, scope: 'operation', message: 'the delivery was taken back: its ack lease expired' },
  queue_full: { replyCode: 311, scope: 'operation', message: 'a queue the message was routed to is full' },
  message_too_large: { replyCode: 311, scope: 'operation', message: 'the message body is larger than the limit' },
  unroutable: { replyCode: 312, scope: 'operation', message: 'no queue is bound for this routing key' },
  queue_deleted: { replyCode: 320, scope: 'operation', message: 'the queue was deleted' },
  store_failed: { replyCode: 541, scope: 'operation', message: 'the message could not be stored' },
  cluster_unavailable: { replyCode: 506, scope: 'operation', message: 'no majority of the cluster could commit the change' },
  internal_error: { replyCode: 541, scope: 'connection', closeCode: 1011, message: 'internal error' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** Longest error message a WarrenError carries, in characters. */
export const MAX_MESSAGE_LENGTH = 1024;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/** The one error type of Warren: a stable code, a human message, and an optional cause. */
export class WarrenError extends Error {
  readonly code: ErrorCode;
  readonly replyCode: number;
  readonly scope: ErrorScope;
  /** Where the error belongs: the request `id` or publish `seq` it answers, when known. */
  readonly context: { id?: number; seq?: number } | undefined;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; context?: { id?: number; seq?: number } }) {
    const spec: ErrorSpec = ERRORS[code];
    // Messages often quote the input that was refused; the input can be huge (docs/protocol.md, "Limits").
    const text = message ?? spec.message;
    super(text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : text, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WarrenError';
    this.code = code;
    this.replyCode = spec.replyCode;
    this.scope = spec.scope;
    this.context = options?.context;
  }

  get closeCode(): number | undefined {
    return (ERRORS[this.code] as ErrorSpec).closeCode;
  }
}

export function isWarrenError(e: unknown): e is WarrenError {
  return e instanceof WarrenError;
}
