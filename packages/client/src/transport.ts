/**
 * The WebSocket the client runs on, as an injected constructor: the global one in browsers and
 * Node 22+, the optional `ws` peer dependency on Node 20, or anything a caller passes (a fake in
 * tests). The client uses only the WHATWG surface below, so both implementations fit. Framing,
 * batching and the handshake belong to outbox.ts and connection.ts.
 */

/**
 * The part of a WHATWG WebSocket the client touches. The DOM and `ws` declare their event
 * objects differently, so the handler slots take `never`: either class satisfies the interface,
 * and the client's own handlers declare the few event fields they read.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

/**
 * `options` is for the `ws` package, whose constructor takes them third; the WHATWG WebSocket of
 * browsers and Node 22+ takes two arguments and ignores a third.
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: NodeSocketOptions) => WebSocketLike;

/** The `ws` client options the client sets (ws's `generateMask`). */
export interface NodeSocketOptions {
  generateMask?: (mask: Uint8Array) => void;
}

/**
 * What the client passes a `ws` WebSocket. A zero masking key (leaving ws's mask buffer as it
 * is, zeroed) makes ws send each body as it is, where a random key costs a full copy and XOR
 * of every message it sends, and the broker a second XOR pass to undo it: most of a 64 KB
 * publish's cost. Masking exists for browsers, where a hostile page's script chooses the bytes
 * a socket sends and could make a proxy that does not understand WebSocket read them as HTTP
 * (RFC 6455, 10.3); browsers always mask, whatever this says. A Node process chooses its own
 * bytes, but may publish bodies that came from untrusted sources; so by default the key is zero
 * only where no intermediary can read the frames: over `wss://` and to a loopback host. Anywhere
 * else ws's random keys stay. `maskFrames` set either way decides for every URL.
 */
export function nodeSocketOptions(url: string, maskFrames: boolean | undefined): NodeSocketOptions {
  const mask = maskFrames ?? !unreadableOnTheWay(url);
  return mask ? {} : { generateMask: leaveZero };
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

function unreadableOnTheWay(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'wss:' || LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function leaveZero(): void {}

/** The part of a `ws` WebSocket beyond the WHATWG surface that partsSender uses. */
interface WsSocket {
  send(data: Uint8Array, options: { binary: boolean; fin: boolean }): void;
  terminate(): void;
  /** ws's TCP socket (not public API: without it the two fragments are written apart). */
  _socket?: { cork(): void; uncork(): void };
}

/**
 * With a `ws` WebSocket: sends a frame's head and its body as one WebSocket message in two
 * fragments, in one socket write, so the body is sent from where it lies (with a zero masking
 * key, not copied at all). The broker takes the body fragment as it is (its codec's
 * decodeFragments). Undefined for other WebSockets, which send a message only whole.
 */
export function partsSender(socket: WebSocketLike): ((head: Uint8Array, body: Uint8Array) => void) | undefined {
  const ws = socket as unknown as Partial<WsSocket>;
  if (typeof ws.terminate !== 'function' || typeof ws.send !== 'function') return undefined;
  const send = ws.send.bind(ws) as WsSocket['send'];
  return (head, body) => {
    const raw = ws._socket;
    raw?.cork();
    send(head, { binary: true, fin: false });
    send(body, { binary: true, fin: true });
    raw?.uncork();
  };
}

/** The constructor given, else the global WebSocket, else `ws` (loaded only when needed). */
export async function resolveWebSocket(given?: WebSocketConstructor): Promise<WebSocketConstructor> {
  if (given !== undefined) return given;
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global !== undefined) return global;
  try {
    return (await import('ws')).default;
  } catch (cause) {
    throw new Error('no WebSocket available: install the `ws` package or pass the WebSocket option', { cause });
  }
}
