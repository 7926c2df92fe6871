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
