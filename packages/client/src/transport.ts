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

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

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

/** Sends one WebSocket message in two parts, so a large body goes out without being copied into a frame first. */
export type SendInParts = (head: Uint8Array, body: Uint8Array) => void;

interface WsSocket {
  send(data: Uint8Array, options: { binary: boolean; fin: boolean }): void;
  terminate(): void;
  pause(): void;
}

/**
 * The `ws` package's socket can send a message as fragments (its documented `fin` option); a
 * WHATWG WebSocket cannot, and has none of ws's `terminate` and `pause`, by which ws is told apart.
 */
export function partsSenderOf(socket: WebSocketLike): SendInParts | undefined {
  const ws = socket as unknown as Partial<WsSocket>;
  if (typeof ws.terminate !== 'function' || typeof ws.pause !== 'function') return undefined;
  const send = (socket as unknown as WsSocket).send.bind(socket);
  return (head, body) => {
    send(head, { binary: true, fin: false });
    send(body, { binary: true, fin: true });
  };
}
