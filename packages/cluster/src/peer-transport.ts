/**
 * Node-to-node transport over TCP (the cluster port, never the public one): one outbound
 * connection per peer carries every message to it, length-prefixed, and all the messages of one
 * Ready leave in one write (cork/uncork). A lost connection loses its messages, which Raft
 * tolerates; the next send dials again. Encoding is peer-codec.ts's job.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { FrameReader } from './frame-reader.js';
import { decodeMessage, encodeMessage } from './peer-codec.js';
import type { Message, NodeId } from './raft/types.js';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

/** Frames larger than this are refused: a peer that sends one is not speaking our protocol. */
const MAX_FRAME = 64 * 1024 * 1024;

export class PeerTransport {
  readonly #server: Server;
  readonly #peers = new Map<NodeId, PeerAddress>();
  readonly #out = new Map<NodeId, Socket>();
  readonly #in = new Set<Socket>();
  onMessage: (message: Message) => void = () => undefined;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async listen(host = '127.0.0.1', port = 0): Promise<PeerTransport> {
    const server = createServer();
    const transport = new PeerTransport(server);
    server.on('connection', (socket) => transport.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return transport;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  setPeer(id: NodeId, address: PeerAddress): void {
    this.#peers.set(id, address);
  }

  send(messages: readonly Message[]): void {
    const byPeer = new Map<NodeId, Message[]>();
    for (const m of messages) {
      const list = byPeer.get(m.to);
      if (list === undefined) byPeer.set(m.to, [m]);
      else list.push(m);
    }
    for (const [to, list] of byPeer) {
      const socket = this.#connection(to);
      if (socket === undefined) continue;
      socket.cork();
      for (const m of list) {
        const body = encodeMessage(m);
        const head = Buffer.allocUnsafe(4);
        head.writeUInt32BE(body.length, 0);
        socket.write(head);
        socket.write(body);
      }
      socket.uncork();
    }
  }

  async close(): Promise<void> {
    for (const socket of [...this.#out.values(), ...this.#in]) socket.destroy();
    this.#out.clear();
    this.#in.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #connection(to: NodeId): Socket | undefined {
    const open = this.#out.get(to);
    if (open !== undefined) return open;
    const address = this.#peers.get(to);
    if (address === undefined) return undefined;
    const socket = connect({ host: address.host, port: address.port, noDelay: true });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.#out.get(to) === socket) this.#out.delete(to);
    });
    this.#out.set(to, socket);
    return socket;
  }

  #accept(socket: Socket): void {
    this.#in.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader((frame) => this.onMessage(decodeMessage(frame)), MAX_FRAME, 'peer frame');
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#in.delete(socket));
  }
}
