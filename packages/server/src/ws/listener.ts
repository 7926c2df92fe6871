/**
 * Accepts WebSocket connections at /ws on the HTTP server's port and gives each a Session.
 * Upgrades to any other path, or without the `warren.v1` subprotocol, are refused with HTTP 400
 * before a WebSocket exists, and upgrades from a browser origin that is not allowed with 403
 * (origin-check.ts). `maxPayload` is the frame limit, never ws's 100 MiB default.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SUBPROTOCOL, WarrenError } from '@warren/protocol';
import type { Broker } from '@warren/core';
import type { Config } from '../config.js';
import type { ServerLogger } from '../log.js';
import type { ResourceAlarms } from '../alarms/resource-alarms.js';
import { Session, type SessionSocket } from './session.js';
import type { AccessControl } from '../auth/access-control.js';
import { sessionAuthFor } from '../auth/connection-limits.js';
import { OriginCheck } from './origin-check.js';
import { FRAME_HEAD_ROOM, writeFrameHead } from './frame-head.js';

/** Room for frame headers around the largest body. */
const FRAME_OVERHEAD = 64 * 1024;

export class WebSocketListener {
  readonly sessions = new Set<Session>();
  private readonly wss: WebSocketServer;
  private readonly origins: OriginCheck;

  constructor(
    server: Server,
    private readonly broker: Broker,
    private readonly config: Config,
    private readonly logger: ServerLogger,
    /** Blocks publishing connections while an alarm is up; also measures the bytes read here. */
    readonly alarms: ResourceAlarms,
    /** Who may connect and do what (auth/); without it every connection is let in unchecked (tests of the wire alone). */
    private readonly access?: AccessControl,
  ) {
    this.origins = new OriginCheck(config.allowedOrigins);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.maxMessageSize + FRAME_OVERHEAD,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    server.on('upgrade', (request, socket, head) => this.upgrade(request, socket, head));
    this.wss.on('connection', (ws, request) => this.accept(ws, request));
    alarms.onChange((active) => {
      for (const session of this.sessions) session.publisherBlock.alarmsChanged(active);
    });
  }

  /**
   * Sends every connection a shutdown close, then stops the WebSocket server. Every consumer is
   * cancelled first: otherwise the deliveries one closing connection requeues would go out to the
   * next one, only to come back again, each time counting against x-delivery-limit.
   */
  close(): void {
    this.closeEvery(new WarrenError('shutting_down'));
    this.wss.close();
  }

  /** Why new connections are turned away right now (cluster/isolation-guard.ts), if they are. */
  refusal: () => WarrenError | undefined = () => undefined;

  /** Closes every connection with `error`, its consumers cancelled first (see close()). */
  closeEvery(error: WarrenError): void {
    for (const session of this.sessions) session.stopConsuming();
    for (const session of this.sessions) session.fail(error);
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '').split('?')[0];
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (path !== '/ws' || !offered.includes(SUBPROTOCOL)) {
      const why = path !== '/ws' ? 'WebSocket endpoint is /ws' : `subprotocol ${SUBPROTOCOL} required`;
      refuse(socket, 400, 'Bad Request', why);
      return;
    }
    const verdict = this.origins.check(request, 'encrypted' in socket && socket.encrypted === true);
    if (!verdict.allowed) {
      this.logger.warn({ origin: verdict.origin, remote: request.socket.remoteAddress }, 'websocket upgrade refused: origin not allowed');
      refuse(socket, 403, 'Forbidden', `origin ${verdict.origin} is not allowed to open a WebSocket here (allowedOrigins, WARREN_ALLOWED_ORIGINS)`);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
  }

  private accept(ws: WebSocket, request?: IncomingMessage): void {
    const auth = this.access === undefined || request === undefined ? undefined : sessionAuthFor(this.access, request, this.sessions);
    const session = new Session(this.broker.newId(), socketOf(ws, request?.socket), this.broker, this.config, this.logger, auth);
    session.info.fromRequest(request);
    const { maxConnections } = this.config;
    const refused = this.refusal();
    if (refused !== undefined || (maxConnections > 0 && this.sessions.size >= maxConnections)) {
      session.fail(refused ?? new WarrenError('connection_limit', `the broker already has ${this.sessions.size} connections (maxConnections ${maxConnections})`));
      return;
    }
    this.sessions.add(session);
    this.broker.counters.connectionsOpened++;
    session.publisherBlock.alarmsChanged(this.alarms.active);
    // A binary message as the fragments it came in: a large body sent as a fragment of its own
    // is then used where it lies instead of being joined with its head (codec's decodeFragments).
    ws.binaryType = 'fragments';
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        session.fail(new WarrenError('frame_malformed', `text messages are not part of ${SUBPROTOCOL}; send binary frames`));
        return;
      }
      const fragments = data as Buffer[];
      let length = 0;
      for (const fragment of fragments) length += fragment.length;
      this.alarms.noteRead(length);
      session.receive(fragments);
    });
    ws.on('error', (error) => {
      // ws closes the socket itself after a protocol error (1009 for an oversized message, 1002 otherwise).
      this.logger.info({ connection: session.id, err: error.message }, 'websocket error');
    });
    ws.on('close', () => {
      if (this.sessions.delete(session)) this.broker.counters.connectionsClosed++;
      session.closed();
    });
  }
}

/** Answers an upgrade request with a plain HTTP error, before any WebSocket exists. */
function refuse(socket: Duplex, status: number, text: string, why: string): void {
  const body = Buffer.from(why);
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${why}`);
}

/**
 * The session's view of its WebSocket. A large delivery goes out as one WebSocket frame written
 * from two buffers, its heads (the WebSocket frame head written into the room the session left
 * in front of the delivery's frame head) and its body, with one writev: `ws` frames only a payload
 * that lies in one buffer, and joining them would copy the body, while sending them as two
 * fragments makes every receiver join them (a copy of the body on the consumer's side). Writing
 * beside `ws` is safe because its sender writes each frame to the socket at once and queues
 * nothing: it queues only while compressing (perMessageDeflate is off) or reading a Blob
 * (never sent here).
 */
function socketOf(ws: WebSocket, raw: Duplex | undefined): SessionSocket {
  return {
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send: (data, done) => ws.send(data, { binary: true }, done),
    sendInParts: (head, body, done) => {
      const frameHead = head.subarray(FRAME_HEAD_ROOM);
      if (raw === undefined || ws.readyState !== ws.OPEN) {
        ws.send(Buffer.concat([frameHead, body]), { binary: true }, done);
        return;
      }
      const start = writeFrameHead(head, FRAME_HEAD_ROOM, frameHead.length + body.length);
      raw.cork();
      raw.write(head.subarray(start));
      raw.write(body, (error) => done(error ?? undefined));
      raw.uncork();
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close: (code, reason) => ws.close(code, reason),
  };
}
