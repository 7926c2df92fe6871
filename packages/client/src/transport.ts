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
 * bytes, and over `wss://` no intermediary reads them; `maskFrames: true` restores random keys
 * for plain `ws://` through intermediaries that publish bytes from untrusted sources.
 */
export function nodeSocketOptions(maskFrames: boolean): NodeSocketOptions {
  return maskFrames ? {} : { generateMask: leaveZero };
}

function leaveZero(): void {}

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
