/** Connection family: handshake, heartbeats, close, and the generic replies `ok` and `error`. */
import { frame, request, requestId, str, uint, type JsonSchema } from './schema.js';

export interface HelloFrame {
  type: 'hello';
  /** Highest protocol version the client speaks. */
  version: number;
  vhost?: string;
  username?: string;
  password?: string;
  /** A JWT access token instead of username and password (docs/security.md, "Tokens"). */
  token?: string;
  /** Heartbeat interval the client proposes, in ms; 0 turns heartbeats off. */
  heartbeat?: number;
  client?: string;
}

export interface WelcomeFrame {
  type: 'welcome';
  version: number;
  server: string;
  connection_id: string;
  heartbeat: number;
  max_message_size: number;
  /** Unconfirmed publishes the broker reads before it stops reading this connection. */
  publish_window: number;
}

export interface HeartbeatFrame {
  type: 'heartbeat';
}

/** Why a connection is blocked: the resource whose alarm is up (docs/protocol.md, "Resource alarms"). */
export type BlockedReason = 'memory' | 'disk';

/**
 * The broker stopped reading this connection because a resource alarm is up; sent once, to a
 * connection that publishes (RabbitMQ's connection.blocked). Replies, confirms and deliveries
 * still flow; nothing the client sends is read until `connection.unblocked`.
 */
export interface ConnectionBlockedFrame {
  type: 'connection.blocked';
  reason: BlockedReason;
}

/** Every alarm has cleared: the broker reads this connection again. */
export interface ConnectionUnblockedFrame {
  type: 'connection.unblocked';
}

/** Replaces the connection's access token before it expires; answered by `ok { expires_at }` (docs/security.md). */
export interface AuthRefreshFrame {
  type: 'auth.refresh';
  id: number;
  token: string;
}

export interface CloseFrame {
  type: 'close';
  code?: string;
  message?: string;
}

/** The successful reply to a request; other fields depend on the request. */
export interface OkFrame {
  type: 'ok';
  id: number;
  [field: string]: unknown;
}

export interface ErrorFrame {
  type: 'error';
  /** The request this error answers; absent when it answers no request. */
  id?: number;
  code: string;
  reply_code: number;
  message: string;
}

export const connectionSchemas: Record<string, JsonSchema> = {
  hello: frame(
    'hello',
    { version: uint, vhost: str(), username: str(), password: str(1024), token: str(16384), heartbeat: uint, client: str() },
    ['version'],
  ),
  heartbeat: frame('heartbeat', {}),
  close: frame('close', { code: str(), message: str(1024) }),
  'auth.refresh': request('auth.refresh', { token: str(16384) }, ['token']),
};

export const serverConnectionSchemas: Record<string, JsonSchema> = {
  welcome: frame('welcome', { version: uint, server: str(), connection_id: str(), heartbeat: uint, max_message_size: uint, publish_window: uint }, [
    'version',
    'connection_id',
  ]),
  ok: frame('ok', { id: requestId }, ['id']),
  error: frame('error', { id: requestId, code: str(), reply_code: uint, message: str(4096) }, ['code', 'message']),
  heartbeat: frame('heartbeat', {}),
  close: frame('close', { code: str(), message: str(4096) }),
  'connection.blocked': frame('connection.blocked', { reason: { enum: ['memory', 'disk'] } }, ['reason']),
  'connection.unblocked': frame('connection.unblocked', {}),
};
