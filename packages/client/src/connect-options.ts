/**
 * What `connect()` and `publish()` take: the options, checked, and the hello frame they make.
 * How the client uses them is client.ts's and link.ts's business.
 */
import { PROTOCOL_VERSION, WarrenError, type HelloFrame } from '@warren/protocol/wire';
import { backoffOf, type Backoff, type ReconnectOptions } from './backoff.js';
import type { PublishProperties } from './properties.js';
import type { TokenProvider } from './token-refresh.js';
import type { WebSocketConstructor } from './transport.js';

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
  /**
   * With the `ws` package only: true masks every frame with a random key, as browsers do (RFC
   * 6455); false uses a zero key, so bodies are sent without being copied. Default: a zero key
   * over `wss://` and to a loopback host, where no intermediary reads the frames; random keys
   * elsewhere (transport.ts says why).
   */
  maskFrames?: boolean;
  /** Most publishes awaiting their confirm at once; default: the broker's publish_window. */
  publishWindow?: number;
  /** Ms to open the socket and complete the handshake (default 10000); also bounds close(). */
  connectTimeout?: number;
  /**
   * Reconnect when the connection is lost (docs/client-failover.md): `true`, back-off options,
   * or `false`. Default: on when `connect` is given a list of URLs, off for a single URL string.
   */
  reconnect?: boolean | ReconnectOptions;
}

export interface PublishOptions extends PublishProperties {
  /** Return the message (rejecting with MessageReturnedError) when no queue takes it. */
  mandatory?: boolean;
  /** Hold the message this many ms before routing it; the publish is confirmed once it is stored. */
  delay?: number;
  headers?: Record<string, unknown>;
}

/** The hello frame a connection opens with (a token provider's token is added per connection). */
export function helloOf(options: ConnectOptions): HelloFrame {
  const hello: HelloFrame = { type: 'hello', version: PROTOCOL_VERSION, vhost: options.vhost ?? '/', heartbeat: options.heartbeat ?? 30_000 };
  if (options.username !== undefined) hello.username = options.username;
  if (options.password !== undefined) hello.password = options.password;
  if (options.name !== undefined) hello.client = options.name;
  if (typeof options.token === 'string') hello.token = options.token;
  return hello;
}

/** The broker URLs to connect to; a URL only a reconnect would reach must not fail then, attempt after attempt. */
export function urlsOf(target: string | readonly string[]): string[] {
  const urls = typeof target === 'string' ? [target] : [...target];
  if (urls.length === 0) throw new WarrenError('invalid_argument', 'connect needs at least one URL');
  for (const url of urls) {
    try {
      // A page may give a URL relative to itself, as WebSocket takes it.
      new URL(url, (globalThis as { location?: { href: string } }).location?.href);
    } catch {
      throw new WarrenError('invalid_argument', `not a URL: ${url}`);
    }
  }
  return urls;
}

/** The back-off when the client reconnects (on by default for a list of URLs), else undefined. */
export function backoffFor(target: string | readonly string[], options: ConnectOptions): Backoff | undefined {
  const reconnect = options.reconnect ?? typeof target !== 'string';
  return reconnect === false ? undefined : backoffOf(reconnect === true ? {} : reconnect);
}
