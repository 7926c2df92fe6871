/**
 * A bare warren.v1 connection for tests that must send what no well-behaved client sends:
 * raw bytes, malformed frames, out-of-order settlements. It records every frame received and
 * lets a test wait for the first frame matching a predicate, and for the socket's close.
 */
import WebSocket from 'ws';
import { decodeFrames, encodeFrame, SUBPROTOCOL, type RawFrame } from '@warren/protocol';

export interface ReceivedFrame {
  header: Record<string, unknown>;
  body: Uint8Array;
}

export class RawClient {
  readonly frames: ReceivedFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { match: (f: ReceivedFrame) => boolean; resolve: (f: ReceivedFrame) => void }[] = [];
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data: Buffer) => {
      for (const raw of decodeFrames(new Uint8Array(data)) as RawFrame[]) {
        const frame = { header: raw.header as Record<string, unknown>, body: raw.body.slice() };
        this.frames.push(frame);
        this.waiters = this.waiters.filter((w) => {
          if (!w.match(frame)) return true;
          w.resolve(frame);
          return false;
        });
      }
    });
  }

  /** Opens a socket; with `hello` (default) also completes the handshake. */
  static async open(url: string, options: { hello?: boolean; protocols?: string[] } = {}): Promise<RawClient> {
    const ws = new WebSocket(url, options.protocols ?? [SUBPROTOCOL]);
    // Listen before the socket opens: a broker that refuses at once sends its error right away.
    const client = new RawClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (options.hello !== false) {
      client.send({ type: 'hello', version: 1 });
      await client.next((f) => f.header.type === 'welcome');
    }
    return client;
  }

  send(header: object, body?: Uint8Array): void {
    this.ws.send(encodeFrame(header, body));
  }

  sendBytes(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  /** Sends a request with a fresh id and waits for its reply (ok or error). */
  async request(header: Record<string, unknown>): Promise<ReceivedFrame> {
    const id = this.nextId++;
    this.send({ ...header, id });
    return this.next((f) => f.header.id === id && (f.header.type === 'ok' || f.header.type === 'error'));
  }

  /** The first frame, already received or still to come, that matches. */
  next(match: (f: ReceivedFrame) => boolean): Promise<ReceivedFrame> {
    const seen = this.frames.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}
