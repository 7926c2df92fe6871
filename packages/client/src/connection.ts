/**
 * One WebSocket connection to a broker: the handshake (hello → welcome), heartbeats, the close
 * exchange, and decoding inbound messages into frames for a FrameSink. Connection-level frames
 * (welcome, heartbeat, close, connection-scoped errors) stop here; everything else goes to the
 * sink. What frames mean to requests, publishes and consumers is the sink's business.
 */
import {
  decodeFrames,
  DEFAULT_MAX_MESSAGE_SIZE,
  ERRORS,
  isErrorCode,
  SUBPROTOCOL,
  WarrenError,
  type CloseFrame,
  type ConnectionBlockedFrame,
  type ConnectionUnblockedFrame,
  type ConsumerCancelledFrame,
  type DeliverFrame,
  type ErrorCode,
  type ErrorFrame,
  type HeartbeatFrame,
  type HelloFrame,
  type OkFrame,
  type PublishAckFrame,
  type PublishNackFrame,
  type PublishReturnFrame,
  type WelcomeFrame,
} from '@warren/protocol/wire';
import { errorFromWire } from './errors.js';
import { Outbox } from './outbox.js';
import { ServerHeaders } from './server-headers.js';
import { partsSender, type NodeSocketOptions, type WebSocketConstructor, type WebSocketLike } from './transport.js';

/** Every frame type the server sends (packages/protocol/src/frames). */
export type ServerFrame =
  | WelcomeFrame
  | HeartbeatFrame
  | CloseFrame
  | OkFrame
  | ErrorFrame
  | PublishAckFrame
  | PublishNackFrame
  | PublishReturnFrame
  | DeliverFrame
  | ConsumerCancelledFrame
  | ConnectionBlockedFrame
  | ConnectionUnblockedFrame;

export interface FrameSink {
  frame(frame: ServerFrame, body: Uint8Array): void;
  /** The connection is over: `undefined` for a clean close, else what ended it. */
  end(error: WarrenError | undefined): void;
}

type State = 'opening' | 'open' | 'closing' | 'closed';

/** WebSocket.OPEN; the constant is not on every implementation's instances. */
const OPEN = 1;

/** The broker accepts WebSocket messages of max_message_size plus this much (spec: "Transport"). */
const HEADER_ROOM = 64 * 1024;

export class Connection {
  /** Resolves once, when the connection is over; never rejects. */
  readonly closed: Promise<WarrenError | undefined>;
  private resolveClosed!: (error: WarrenError | undefined) => void;
  private state: State = 'opening';
  private readonly socket: WebSocketLike;
  private readonly outbox: Outbox;
  private readonly headers = new ServerHeaders();
  /** A connection-scoped error frame, reported when the socket closes right after it. */
  private fatal: WarrenError | undefined;
  private welcomed: ((welcome: WelcomeFrame) => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private lastSent = 0;
  private lastReceived = 0;

  constructor(WebSocket: WebSocketConstructor, url: string, options: NodeSocketOptions, private readonly sink: FrameSink) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.socket = new WebSocket(url, SUBPROTOCOL, options);
    const sendParts = partsSender(this.socket);
    this.outbox = new Outbox(
      (message) => {
        if (this.socket.readyState !== OPEN) return;
        this.lastSent = Date.now();
        this.socket.send(message);
      },
      sendParts &&
        ((head, body) => {
          if (this.socket.readyState !== OPEN) return;
          this.lastSent = Date.now();
          sendParts(head, body);
        }),
    );
    this.socket.binaryType = 'arraybuffer';
    this.socket.onmessage = (event: { data: unknown }) => this.receive(event.data);
    this.socket.onclose = (event: { code: number; reason: string }) => this.end(this.closeError(event.code, event.reason));
    // A listener must exist (ws throws an unhandled 'error' otherwise). The close event that
    // follows an error ends the connection; the error event itself carries nothing portable.
    this.socket.onerror = () => {};
  }

  /** Sends hello once the socket opens and resolves with the welcome, or rejects with why not. */
  handshake(hello: HelloFrame, timeoutMs: number): Promise<WelcomeFrame> {
    this.socket.onopen = () => {
      this.outbox.write(hello);
      this.outbox.flush();
    };
    this.timer = setTimeout(() => this.fail(new WarrenError('handshake_timeout', `no welcome within ${timeoutMs} ms`)), timeoutMs);
    return new Promise<WelcomeFrame>((resolve, reject) => {
      this.welcomed = resolve;
      void this.closed.then((error) => reject(error ?? new WarrenError('internal_error', 'the connection closed before the welcome')));
    });
  }

  /** Queues a frame for the next batch (outbox.ts); dropped once the connection is closing. */
  write(header: object | string, body?: Uint8Array): void {
    if (this.state === 'open') this.outbox.write(header, body);
  }

  /** Sends close and waits for the server's close, the socket's, or `timeoutMs`. */
  close(timeoutMs: number): Promise<void> {
    if (this.state === 'open') {
      this.outbox.write({ type: 'close' });
      this.state = 'closing';
      this.timer = setTimeout(() => this.end(undefined), timeoutMs);
    } else if (this.state === 'opening') this.end(undefined);
    return this.closed.then(() => undefined);
  }

  /**
   * Ends the connection with `error` and tells the server why. Browsers let scripts close only
   * with 1000 or 3000–4999, so the registry's 1xxx codes go out as 1000 with the code as reason.
   */
  private fail(error: WarrenError): void {
    const closeCode = error.closeCode ?? 1000;
    this.end(error, closeCode >= 3000 ? closeCode : 1000, error.code);
  }

  private end(error: WarrenError | undefined, closeCode = 1000, reason = ''): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    this.outbox.flush();
    this.socket.close(closeCode, reason);
    this.sink.end(error);
    this.resolveClosed(error);
  }

  private receive(data: unknown): void {
    this.lastReceived = Date.now();
    let frames;
    try {
      if (!(data instanceof ArrayBuffer)) throw new WarrenError('frame_malformed', 'text message from the server');
      frames = decodeFrames(new Uint8Array(data), this.headers);
    } catch (error) {
      this.fail(error instanceof WarrenError ? error : new WarrenError('frame_malformed', String(error)));
      return;
    }
    for (const { header, body } of frames) {
      if (this.state === 'closed') return;
      if (typeof header === 'object' && header !== null) this.dispatch(header as ServerFrame, body);
    }
  }

  private dispatch(frame: ServerFrame, body: Uint8Array): void {
    switch (frame.type) {
      case 'welcome':
        return this.welcome(frame);
      case 'heartbeat':
        return;
      case 'close':
        // Our close answered, or the server closing on its own (shutdown) with a code.
        return this.end(frame.code === undefined ? undefined : errorFromWire(frame.code, frame.message ?? ''));
      case 'error':
        if (frame.id === undefined && isErrorCode(frame.code) && ERRORS[frame.code].scope === 'connection') {
          this.fatal = errorFromWire(frame.code, frame.message);
          return;
        }
        return this.sink.frame(frame, body);
      default:
        if (this.state !== 'opening') this.sink.frame(frame, body);
    }
  }

  private welcome(welcome: WelcomeFrame): void {
    if (this.state !== 'opening') return;
    this.state = 'open';
    clearTimeout(this.timer);
    this.outbox.maxMessageBytes = (welcome.max_message_size || DEFAULT_MAX_MESSAGE_SIZE) + HEADER_ROOM;
    if (welcome.heartbeat > 0) this.startHeartbeat(welcome.heartbeat);
    this.welcomed?.(welcome);
  }

  /** Spec "Heartbeats": speak after heartbeat/2 ms of silence; give up after 2 × heartbeat ms of the server's. */
  private startHeartbeat(intervalMs: number): void {
    this.lastReceived = Date.now();
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      if (now - this.lastReceived >= 2 * intervalMs) {
        this.fail(new WarrenError('heartbeat_timeout', `nothing from the server for ${now - this.lastReceived} ms`));
      } else if (now - this.lastSent >= intervalMs / 2) {
        this.outbox.write({ type: 'heartbeat' });
        this.outbox.flush();
      }
    }, intervalMs / 2);
  }

  /** Why the socket closed: our own close or the server's close frame, else its last error frame, else the close code. */
  private closeError(code: number, reason: string): WarrenError | undefined {
    if (this.state === 'closing') return this.fatal;
    if (this.fatal !== undefined) return this.fatal;
    const known = Object.entries(ERRORS).find(([, spec]) => 'closeCode' in spec && spec.closeCode === code);
    if (known !== undefined) return new WarrenError(known[0] as ErrorCode, reason || undefined);
    return new WarrenError('internal_error', `connection closed (WebSocket close code ${code}${reason ? `: ${reason}` : ''})`);
  }
}
