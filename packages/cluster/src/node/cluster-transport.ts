/**
 * The cluster port: one connection per pair of nodes (the node with the smaller id dials, and
 * redials with back-off when it drops), authenticated by the shared secret (peer-auth.ts), over
 * TLS when the node has a certificate. Every Raft group of the node shares it: the messages all
 * groups send to one peer in one event-loop turn leave as one batch frame, in one write, so
 * thousands of idle groups cost one frame per turn per peer, not one per group. It also carries
 * proposals a follower forwards to its leader, and their answers, and posts (a replicated
 * queue's deliveries): everything bound for one peer in one turn leaves in one write. A lost
 * connection loses its messages, which Raft tolerates. Each tick it sends every connected peer a
 * `beat` frame: the node-level heartbeat (peer-liveness.ts) that lets idle groups quiesce
 * (group-clock.ts, raft/quiesce.ts).
 */
import { createServer as createTcpServer, connect as tcpConnect, isIP, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { PeerLink } from '../raft-node.js';
import type { Message } from '../raft/types.js';
import { FrameReader } from '../frame-reader.js';
import { BATCH_TARGET, BEAT_FRAME, batchFrames, FrameKind, jsonFrame, postFrame, PROTOCOL_VERSION, readBatch, readJsonFrame, readPosts, type ClusterTraffic, type ForwardedHeader, type ForwardHeader, type GroupMessage, type PostItem } from './cluster-frames.js';
import { GroupClock } from './group-clock.js';
import { OUT_OF_REACH_TIMEOUTS, PeerLiveness } from './peer-liveness.js';
import { newNonce, proofMatches, proofOf, type HandshakeFacts } from './peer-auth.js';
import type { ClusterLogger, PeerSpec } from './peers.js';

export interface ClusterTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** When set, a peer's certificate must chain to it; otherwise the secret alone authenticates. */
  readonly ca?: Buffer;
}

export interface ClusterTransportOptions {
  readonly id: string;
  readonly secret: string;
  readonly host: string;
  readonly port: number;
  readonly peers: readonly PeerSpec[];
  readonly tls?: ClusterTls;
  readonly logger: ClusterLogger;
  /** The groups' tick (ms) and election timeout (ticks): a peer unheard for that long is out of reach. */
  readonly tickMs?: number;
  readonly electionTick?: number;
}

/** Answers a proposal forwarded by a follower with its log index, or throws (not the leader). */
export type ForwardHandler = (group: string, command: Uint8Array, conf: boolean) => Promise<number>;

/** A forwarded proposal the leader refused. */
export class ForwardError extends Error {
  constructor(
    message: string,
    readonly leader: string | null,
  ) {
    super(message);
  }
}

const HANDSHAKE_TIMEOUT = 5_000;
/** The handshake's frames are a few hundred bytes: a stranger gets no more until it proves it belongs. */
const HANDSHAKE_FRAME_MAX = 64 * 1024;
const FORWARD_TIMEOUT = 10_000;
/** How often forwarded proposals are checked for FORWARD_TIMEOUT: one timer for all, not one per proposal. */
const FORWARD_SWEEP = 1_000;
const REDIAL_MIN = 100;
const REDIAL_MAX = 2_000;
const TLS_LABEL = 'EXPORTER-warren-cluster';

interface Link {
  readonly socket: Socket;
  pending: GroupMessage[];
  posts: PostItem[];
  /** Forwarded proposals and their answers of this turn, written with the rest in one write. */
  frames: Buffer[];
}

export class ClusterTransport {
  readonly #server: Server;
  readonly #peers: Map<string, PeerSpec>;
  readonly #links = new Map<string, Link>();
  readonly #groups = new Map<string, PeerLink>();
  readonly #dialing = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #forwards = new Map<number, { to: string; resolve(index: number): void; reject(error: Error): void; until: number }>();
  #forwardSweep: NodeJS.Timeout | undefined;
  #rid = 0;
  #flushing = false;
  #closed = false;
  readonly #liveness: PeerLiveness;
  /** Every group of this node ticks on it; quiesced ones do not. */
  readonly clock: GroupClock;
  readonly traffic: ClusterTraffic = { bytesIn: 0, bytesOut: 0, framesIn: 0, writes: 0 };
  onForward: ForwardHandler = () => Promise.reject(new ForwardError('no group here', null));
  /** A peer's report of itself arrived. */
  onStatus: (peer: string, status: Record<string, unknown>) => void = () => undefined;
  /** A peer posted something (post()). */
  onPost: (peer: string, header: unknown, payload: Uint8Array) => void = () => undefined;

  private constructor(
    private readonly options: ClusterTransportOptions,
    server: Server,
  ) {
    this.#server = server;
    this.#peers = new Map(options.peers.filter((p) => p.id !== options.id).map((p) => [p.id, p]));
    this.#liveness = new PeerLiveness(OUT_OF_REACH_TIMEOUTS * (options.electionTick ?? 10), (peer, live) => this.clock.peerChanged(peer, live));
    this.clock = new GroupClock(options.tickMs ?? 50, () => this.#beat(), (peer) => this.#liveness.isLive(peer));
  }

  static async listen(options: ClusterTransportOptions): Promise<ClusterTransport> {
    const tls = options.tls;
    const server: Server = tls === undefined ? createTcpServer() : createTlsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.3' });
    const transport = new ClusterTransport(options, server);
    server.on(tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => transport.#accept(socket));
    server.on('tlsClientError', (error: Error, socket: Socket) => {
      options.logger.warn({ err: error, address: socket.remoteAddress }, 'cluster peer refused: TLS handshake failed');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    for (const id of transport.#peers.keys()) if (options.id < id) transport.#dial(id, REDIAL_MIN);
    return transport;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** A member added while running: it may connect, and is dialled when this node dials it. */
  addPeer(peer: PeerSpec): void {
    if (peer.id === this.options.id) return;
    this.#peers.set(peer.id, peer);
    if (this.options.id < peer.id) this.#dial(peer.id, 0);
  }

  /** A member removed: its connection closes and it is refused from now on. */
  removePeer(id: string): void {
    this.#peers.delete(id);
    this.#links.get(id)?.socket.destroy();
  }

  /** Peers with an open, authenticated connection. */
  connectedPeers(): string[] {
    return [...this.#links.keys()];
  }

  /** The link a RaftNode of this group sends and receives through. */
  group(name: string): PeerLink {
    const link: PeerLink = {
      send: (messages: readonly Message[]) => {
        for (const message of messages) this.#enqueue(message.to, { group: name, message });
      },
      onMessage: () => undefined,
      host: this.clock,
    };
    this.#groups.set(name, link);
    return link;
  }

  /** The group stopped on this node: its messages are dropped from now on. */
  dropGroup(name: string): void {
    this.#groups.delete(name);
  }

  /** Hands a proposal (a configuration change when `conf`) to the peer that leads the group; resolves with its log index. */
  forward(to: string, group: string, command: Uint8Array, conf = false): Promise<number> {
    const link = this.#links.get(to);
    if (link === undefined) return Promise.reject(new ForwardError(`node ${to} is not connected`, null));
    const rid = ++this.#rid;
    return new Promise((resolve, reject) => {
      this.#forwards.set(rid, { to, resolve, reject, until: Date.now() + FORWARD_TIMEOUT });
      this.#forwardSweep ??= setInterval(() => this.#sweepForwards(), FORWARD_SWEEP);
      link.frames.push(jsonFrame(FrameKind.forward, { rid, group, ...(conf ? { conf } : {}) } satisfies ForwardHeader, command));
      this.#flushSoon();
    });
  }

  #sweepForwards(): void {
    const now = Date.now();
    for (const [rid, pending] of this.#forwards) {
      if (now < pending.until) continue;
      this.#forwards.delete(rid);
      pending.reject(new ForwardError(`node ${pending.to} did not answer a forwarded proposal`, null));
    }
    if (this.#forwards.size === 0) {
      clearInterval(this.#forwardSweep);
      this.#forwardSweep = undefined;
    }
  }

  /**
   * Sends `header` and `payload` to a peer, batched with whatever else goes to it in this
   * event-loop turn; false when it is not connected (nothing is sent, nothing is retried).
   */
  post(to: string, header: unknown, payload: Uint8Array): boolean {
    const link = this.#links.get(to);
    if (link === undefined) return false;
    link.posts.push({ header, payload });
    this.#flushSoon();
    return true;
  }

  /** Sends this node's report of itself to every connected peer. */
  broadcastStatus(status: Record<string, unknown>): void {
    if (this.#links.size === 0) return;
    const frame = jsonFrame(FrameKind.status, status);
    for (const { socket } of this.#links.values()) this.#write(socket, frame);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.clock.stop();
    for (const timer of this.#timers) clearTimeout(timer);
    for (const { socket } of this.#links.values()) socket.destroy();
    clearInterval(this.#forwardSweep);
    for (const pending of this.#forwards.values()) {
      pending.reject(new ForwardError('the cluster transport closed', null));
    }
    this.#links.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #enqueue(to: string, message: GroupMessage): void {
    const link = this.#links.get(to);
    if (link === undefined) return;
    link.pending.push(message);
    this.#flushSoon();
  }

  #flushSoon(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    setImmediate(() => {
      this.#flushing = false;
      for (const open of this.#links.values()) {
        if (open.pending.length === 0 && open.posts.length === 0 && open.frames.length === 0) continue;
        const out = open.frames;
        if (open.pending.length > 0) out.push(...batchFrames(open.pending));
        if (open.posts.length > 0) out.push(postFrame(open.posts));
        this.#writeAll(open.socket, out);
        open.pending = [];
        open.posts = [];
        open.frames = [];
      }
    });
  }

  #write(socket: Socket, bytes: Buffer): void {
    this.traffic.bytesOut += bytes.length;
    this.traffic.writes++;
    socket.write(bytes);
  }

  /** A turn's frames in one write; small ones joined, large ones (a snapshot) not copied again. */
  #writeAll(socket: Socket, frames: readonly Buffer[]): void {
    let bytes = 0;
    for (const frame of frames) bytes += frame.length;
    if (frames.length === 1 || bytes <= BATCH_TARGET) return this.#write(socket, frames.length === 1 ? frames[0]! : Buffer.concat(frames, bytes));
    this.traffic.bytesOut += bytes;
    this.traffic.writes++;
    socket.cork();
    for (const frame of frames) socket.write(frame);
    socket.uncork();
  }

  /** The node-level heartbeat: one tiny frame per peer per tick, and the liveness check. */
  #beat(): void {
    this.#liveness.check(this.#links.keys());
    for (const { socket } of this.#links.values()) this.#write(socket, BEAT_FRAME);
  }

  #dial(id: string, delay: number): void {
    if (this.#closed || this.#dialing.has(id)) return;
    this.#dialing.add(id);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const peer = this.#peers.get(id);
      if (peer === undefined) {
        // Removed while waiting to dial.
        this.#dialing.delete(id);
        return;
      }
      const tls = this.options.tls;
      const socket: Socket =
        tls === undefined
          ? tcpConnect({ host: peer.host, port: peer.port, noDelay: true })
          : tlsConnect({ host: peer.host, port: peer.port, ca: tls.ca, rejectUnauthorized: tls.ca !== undefined, servername: isIP(peer.host) !== 0 ? undefined : peer.host, minVersion: 'TLSv1.3' });
      socket.setNoDelay(true);
      let opened = false;
      socket.once(tls === undefined ? 'connect' : 'secureConnect', () => this.#greet(socket, id, () => (opened = true)));
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        this.#dialing.delete(id);
        this.#dropLink(id, socket);
        this.#dial(id, opened ? REDIAL_MIN : Math.min(delay * 2, REDIAL_MAX));
      });
    }, delay);
    this.#timers.add(timer);
  }

  /** The dialer's half of the handshake: hello, then its proof, then the acceptor's. */
  #greet(socket: Socket, expected: string, opened: () => void): void {
    const nonce = newNonce();
    const { id, secret, logger } = this.options;
    socket.write(jsonFrame(FrameKind.hello, { v: PROTOCOL_VERSION, id, nonce: nonce.toString('base64') }));
    const deadline = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT);
    let facts: HandshakeFacts | undefined;
    let open = false;
    const reader = this.#read(socket, (frame) => {
      if (open) return this.#onFrame(expected, frame);
      const { value } = readJsonFrame<{ id?: unknown; nonce?: unknown; proof?: unknown }>(frame);
      if (facts === undefined) {
        if (frame[0] !== FrameKind.challenge || value.id !== expected || typeof value.nonce !== 'string') throw new Error(`node ${expected} answered the hello with something else`);
        facts = { dialerId: id, acceptorId: expected, dialerNonce: nonce, acceptorNonce: Buffer.from(value.nonce, 'base64'), channel: channelOf(socket) };
        socket.write(jsonFrame(FrameKind.proof, { proof: proofOf(secret, 'dialer', facts).toString('base64') }));
        return;
      }
      if (frame[0] !== FrameKind.welcome || typeof value.proof !== 'string' || !proofMatches(secret, 'acceptor', facts, Buffer.from(value.proof, 'base64'))) {
        logger.warn({ peer: expected, address: socket.remoteAddress }, 'cluster peer refused: it does not know the cluster secret');
        throw new Error('wrong secret');
      }
      clearTimeout(deadline);
      open = true;
      opened();
      this.#openLink(expected, socket, reader);
    });
  }

  /** The acceptor's half of the handshake: a challenge, the dialer's proof checked, then its own. */
  #accept(socket: Socket): void {
    socket.setNoDelay(true);
    const { id, secret, logger } = this.options;
    const deadline = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT);
    let facts: HandshakeFacts | undefined;
    let peer: string | undefined;
    socket.on('error', () => socket.destroy());
    const reader = this.#read(socket, (frame) => {
      if (peer !== undefined) return this.#onFrame(peer, frame);
      const { value } = readJsonFrame<{ v?: unknown; id?: unknown; nonce?: unknown; proof?: unknown }>(frame);
      if (facts === undefined) {
        if (frame[0] !== FrameKind.hello || value.v !== PROTOCOL_VERSION || typeof value.id !== 'string' || typeof value.nonce !== 'string') throw new Error('not a cluster hello');
        if (!this.#peers.has(value.id)) {
          logger.warn({ peer: value.id, address: socket.remoteAddress }, "cluster peer refused: not in this node's peer list");
          throw new Error('unknown peer');
        }
        facts = { dialerId: value.id, acceptorId: id, dialerNonce: Buffer.from(value.nonce, 'base64'), acceptorNonce: newNonce(), channel: channelOf(socket) };
        socket.write(jsonFrame(FrameKind.challenge, { id, nonce: facts.acceptorNonce.toString('base64') }));
        return;
      }
      if (frame[0] !== FrameKind.proof || typeof value.proof !== 'string' || !proofMatches(secret, 'dialer', facts, Buffer.from(value.proof, 'base64'))) {
        logger.warn({ peer: facts.dialerId, address: socket.remoteAddress }, 'cluster peer refused: it does not know the cluster secret');
        throw new Error('wrong secret');
      }
      clearTimeout(deadline);
      socket.write(jsonFrame(FrameKind.welcome, { proof: proofOf(secret, 'acceptor', facts).toString('base64') }));
      peer = facts.dialerId;
      const accepted = peer;
      socket.on('close', () => this.#dropLink(accepted, socket));
      this.#openLink(accepted, socket, reader);
    });
  }

  #read(socket: Socket, onFrame: (frame: Buffer) => void): FrameReader {
    const reader = new FrameReader(onFrame, HANDSHAKE_FRAME_MAX, 'cluster frame');
    socket.on('data', (chunk: Buffer) => {
      this.traffic.bytesIn += chunk.length;
      try {
        reader.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    return reader;
  }

  #openLink(peer: string, socket: Socket, reader: FrameReader): void {
    this.#links.get(peer)?.socket.destroy();
    this.#links.set(peer, { socket, pending: [], posts: [], frames: [] });
    // A member's frames may now be as large as a queue snapshot; and while one arrives, its bytes
    // show the peer alive (its beats wait behind it on the same connection).
    reader.trust();
    socket.on('data', () => this.#liveness.heard(peer));
    this.options.logger.info({ peer }, 'cluster peer connected');
  }

  #dropLink(peer: string, socket: Socket): void {
    if (this.#links.get(peer)?.socket !== socket) return;
    this.#links.delete(peer);
    this.#liveness.lost(peer);
    // A proposal handed to that peer gets no answer now: its caller may ask another at once.
    for (const [rid, pending] of this.#forwards) {
      if (pending.to !== peer) continue;
      this.#forwards.delete(rid);
      pending.reject(new ForwardError(`lost the connection to node ${peer}`, null));
    }
    if (!this.#closed) this.options.logger.info({ peer }, 'cluster peer disconnected');
  }

  #onFrame(peer: string, frame: Buffer): void {
    this.traffic.framesIn++;
    this.#liveness.heard(peer);
    switch (frame[0]) {
      case FrameKind.beat:
        return;
      case FrameKind.batch:
        for (const { group, message } of readBatch(frame)) {
          if (message.from !== peer || message.to !== this.options.id) continue;
          this.#groups.get(group)?.onMessage(message);
        }
        return;
      case FrameKind.forward: {
        const { value, payload } = readJsonFrame<ForwardHeader>(frame);
        const answer = (header: Omit<ForwardedHeader, 'rid'>): void => {
          const link = this.#links.get(peer);
          if (link === undefined) return;
          link.frames.push(jsonFrame(FrameKind.forwarded, { rid: value.rid, ...header }));
          this.#flushSoon();
        };
        this.onForward(value.group, Uint8Array.from(payload), value.conf === true).then(
          (index) => answer({ index }),
          (error: Error & { leader?: string | null }) => answer({ error: error.message, leader: error.leader ?? null }),
        );
        return;
      }
      case FrameKind.forwarded: {
        const { value } = readJsonFrame<ForwardedHeader>(frame);
        const pending = this.#forwards.get(value.rid);
        if (pending === undefined) return;
        this.#forwards.delete(value.rid);
        if (value.index !== undefined) pending.resolve(value.index);
        else pending.reject(new ForwardError(value.error ?? 'refused', value.leader ?? null));
        return;
      }
      case FrameKind.status:
        this.onStatus(peer, readJsonFrame<Record<string, unknown>>(frame).value);
        return;
      case FrameKind.post:
        for (const { header, payload } of readPosts(frame)) this.onPost(peer, header, payload);
        return;
      default:
        throw new Error(`unexpected cluster frame ${frame[0]}`);
    }
  }
}

function channelOf(socket: Socket): Buffer {
  const tls = socket as Partial<TLSSocket>;
  return typeof tls.exportKeyingMaterial === 'function' && tls.encrypted === true ? tls.exportKeyingMaterial(32, TLS_LABEL, Buffer.alloc(0)) : Buffer.alloc(0);
}
