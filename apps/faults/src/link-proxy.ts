/**
 * A TCP proxy on the cluster port between two nodes: node `from` is told that node `to` listens
 * here, so the connection `from` dials to `to` runs through it. Either direction can be cut.
 * A cut direction behaves as a network that drops its packets (iptables DROP, as Jepsen cuts):
 * nothing written that way arrives, not even a close, and the connection stays open; the bytes
 * wait here (TCP would retransmit them) and arrive, in order, when the cut heals. A stream is
 * never cut in the middle of a frame and resumed: TCP gives no such thing either.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type Direction = 'forth' | 'back';

/** One half of a proxied connection: bytes read from `source` are written to `sink`. */
class Pipe {
  readonly #held: Buffer[] = [];
  #ended = false;

  constructor(
    readonly source: Socket,
    readonly sink: Socket,
    private readonly cut: () => boolean,
  ) {
    source.on('data', (chunk: Buffer) => {
      if (this.cut()) {
        this.#held.push(chunk);
        source.pause();
        return;
      }
      if (!sink.write(chunk)) source.pause();
    });
    sink.on('drain', () => {
      if (!this.cut()) source.resume();
    });
    const ended = (): void => {
      this.#ended = true;
      this.flush();
    };
    source.on('end', ended);
    source.on('close', ended);
    source.on('error', () => source.destroy());
  }

  /** Delivers what waited, and the close that waited behind it, once the direction is open. */
  flush(): void {
    if (this.cut()) return;
    while (this.#held.length > 0) this.sink.write(this.#held.shift()!);
    if (this.#ended) this.sink.destroySoon();
    else this.source.resume();
  }
}

export class LinkProxy {
  readonly #pipes = new Set<Pipe>();
  readonly #cut: Record<Direction, boolean> = { forth: false, back: false };

  private constructor(
    private readonly server: Server,
    readonly from: string,
    readonly to: string,
  ) {}

  /** Listens on a free loopback port and relays every connection to `targetPort`. */
  static async listen(from: string, to: string, targetPort: number): Promise<LinkProxy> {
    const server = createServer({ pauseOnConnect: true, noDelay: true });
    const proxy = new LinkProxy(server, from, to);
    server.on('connection', (inbound: Socket) => proxy.#relay(inbound, targetPort));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** Cuts (true) or restores (false) one direction: forth is from → to, back is to → from. */
  set(direction: Direction, cut: boolean): void {
    this.#cut[direction] = cut;
    if (!cut) for (const pipe of this.#pipes) pipe.flush();
  }

  isCut(direction: Direction): boolean {
    return this.#cut[direction];
  }

  async close(): Promise<void> {
    for (const pipe of this.#pipes) pipe.source.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #relay(inbound: Socket, targetPort: number): void {
    // The target is dialled at once even across a cut: the cut then drops the handshake, as a
    // dropped SYN-ACK would leave the dialer waiting.
    const outbound = connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
    outbound.pause();
    const forth = new Pipe(inbound, outbound, () => this.#cut.forth);
    const back = new Pipe(outbound, inbound, () => this.#cut.back);
    this.#pipes.add(forth).add(back);
    const gone = (): void => {
      if (!inbound.destroyed || !outbound.destroyed) return;
      this.#pipes.delete(forth);
      this.#pipes.delete(back);
    };
    inbound.on('close', gone);
    outbound.on('close', gone);
    // A target that refuses (its node is down) closes the dialer's side as a reset would.
    outbound.on('error', () => inbound.destroy());
    inbound.resume();
    outbound.resume();
  }
}
