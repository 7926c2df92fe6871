/**
 * Test-only: a fake WebSocket wired to a scripted broker, so client tests run without a server.
 * FakeServer decodes every WebSocket message the client sends (keeping them, so tests can count
 * socket writes), answers hello with a welcome, and hands every other frame to `onFrame`, where a
 * test plays the broker's part. Frames go back with send(), one WebSocket message per call.
 * Both directions are delivered from microtasks, as a real socket delivers from the event loop.
 * Not exported from the package.
 */
import { decodeFrames, FrameWriter, type WelcomeFrame } from '@warren/protocol';
import type { WebSocketConstructor, WebSocketLike } from '../transport.js';

export interface SentFrame {
  header: { type: string; [field: string]: unknown };
  body: Uint8Array;
}

type Outgoing = object | [header: object, body: Uint8Array];

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

export class FakeServer {
  /** Every WebSocket message the client sent, each as its frames. */
  readonly messages: SentFrame[][] = [];
  /** Sockets the client opened, newest last. */
  readonly sockets: FakeSocket[] = [];
  /** Fields that override the default welcome; `null` sends no welcome at all. */
  welcome: Partial<WelcomeFrame> | null = {};
  /** Plays the broker for every frame after hello. */
  onFrame: (frame: SentFrame) => void = () => {};
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    const server = this;
    this.WebSocket = class extends FakeSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(server, url, protocols);
        server.sockets.push(this);
      }
    };
  }

  get socket(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (socket === undefined) throw new Error('no socket opened yet');
    return socket;
  }

  /** Every frame the client sent, in order. */
  get frames(): SentFrame[] {
    return this.messages.flat();
  }

  framesOf(type: string): SentFrame[] {
    return this.frames.filter((frame) => frame.header.type === type);
  }

  /** Sends the frames to the client as one WebSocket message. */
  send(...frames: Outgoing[]): void {
    const writer = new FrameWriter();
    for (const frame of frames) {
      if (Array.isArray(frame)) writer.add(frame[0], frame[1]);
      else writer.add(frame);
    }
    this.sendRaw(writer.take().slice().buffer);
  }

  /** Delivers any data (an ArrayBuffer, or a string for a text message) as one WebSocket message. */
  sendRaw(data: ArrayBuffer | string): void {
    const socket = this.socket;
    if (socket.readyState !== OPEN) return;
    // Delivered after messages already on their way and before a close that follows, as TCP would.
    queueMicrotask(() => socket.onmessage?.({ data }));
  }

  /** Closes the connection from the server's side. */
  close(code: number, reason = ''): void {
    this.socket.closeWith(code, reason);
  }

  receive(data: Uint8Array, from?: FakeSocket): void {
    const frames = decodeFrames(data).map(({ header, body }) => ({ header: header as SentFrame['header'], body: body.slice() }));
    this.messages.push(frames);
    from?.sent.push(...frames);
    for (const frame of frames) {
      if (frame.header.type !== 'hello') this.onFrame(frame);
      else if (this.welcome !== null) {
        this.send({ type: 'welcome', version: 1, server: 'fake', connection_id: 'c1', heartbeat: 0, max_message_size: 1 << 20, publish_window: 1000, ...this.welcome });
      }
    }
  }
}

export class FakeSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = CONNECTING;
  /** Every frame the client sent on this socket. */
  readonly sent: SentFrame[] = [];
  /** The close code and reason the client closed with, if it did. */
  closedByClient: { code: number; reason: string } | undefined;
  onopen: ((event: object) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: object) => void) | null = null;

  constructor(
    private readonly server: FakeServer,
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    queueMicrotask(() => {
      if (this.readyState !== CONNECTING) return;
      this.readyState = OPEN;
      this.onopen?.({});
    });
  }

  send(data: Uint8Array): void {
    if (this.readyState !== OPEN) throw new Error(`send in readyState ${this.readyState}`);
    this.server.receive(data.slice(), this);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === CLOSED) return;
    this.closedByClient = { code, reason };
    this.closeWith(code, reason);
  }

  closeWith(code: number, reason: string): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }
}
