/**
 * One node's membership in a cluster: its Raft state in LevelDB (a key space of its own under
 * the data directory, beside the broker's store), the cluster port, and the metadata group.
 * The server builds it when peers are configured and gives it the function that applies a
 * committed metadata change to the node's broker.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LevelKeyspace } from '@warren/store';
import { ClusterTransport, type ClusterTls } from './cluster-transport.js';
import { MetadataGroup, type MetadataCommand, type MetadataOutcome } from './metadata-group.js';
import type { ClusterLogger, PeerSpec } from './peers.js';
import type { PeerChanges } from './metadata-snapshot.js';

export interface ClusterNodeOptions {
  readonly id: string;
  /** Every member, this node included (WARREN_PEERS, which may or may not list this node). */
  readonly peers: readonly PeerSpec[];
  /** A node added to a running cluster: it waits to be made a member instead of founding one. */
  readonly join?: boolean;
  readonly secret: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly tls?: ClusterTls;
  readonly logger: ClusterLogger;
  /** Carries out a committed metadata change; `index` is its log index, the same on every node. */
  readonly applyMetadata: (command: MetadataCommand, index: number) => Promise<MetadataOutcome>;
  /** The broker's part of metadata snapshots (metadata-group.ts); without it the metadata log is not compacted. */
  readonly metadataSnapshot?: { readonly every: number; take(): unknown; converge(broker: unknown, index: number): Promise<void> };
  /** What this node reports of itself to the others, once a second (GET /api/nodes). */
  readonly report?: () => Record<string, unknown>;
  readonly tickMs?: number;
  readonly electionTick?: number;
}

/** A peer's last report of itself, and when it came. */
export interface PeerReport {
  readonly receivedAt: number;
  readonly report: Record<string, unknown>;
  /** The run of the peer that sent it (ClusterNode.incarnation). */
  readonly incarnation: string | undefined;
}

const REPORT_EVERY = 1_000;
/** Members added and removed while running, kept beside the log: the config's peer list predates them. */
const PEERS_KEY = 'cluster/peers';


export interface ClusterStatus {
  readonly node: string;
  readonly members: readonly string[];
  readonly voters: readonly string[];
  readonly learners: readonly string[];
  readonly connected: readonly string[];
  readonly metadata: { readonly role: string; readonly leader: string | null; readonly term: number; readonly commit_index: number; readonly applied_index: number };
}

export class ClusterNode {
  /**
   * This run of the node: new at every start, and in every report it sends, so the others can
   * tell a node that restarted (and lost whatever lived in its memory, its clients' consumers)
   * from one that was only out of reach.
   */
  readonly incarnation = randomBytes(6).toString('base64url');
  readonly #reports = new Map<string, PeerReport>();
  readonly #timer: NodeJS.Timeout;

  private constructor(
    readonly id: string,
    private readonly changes: PeerChanges,
    readonly transport: ClusterTransport,
    readonly metadata: MetadataGroup,
    /** The node's Raft key space: the metadata group's log, and replicated queues' logs beside it. */
    readonly keyspace: LevelKeyspace,
    report: () => Record<string, unknown>,
  ) {
    transport.onStatus = (peer, status) => {
      const { incarnation, ...report } = status;
      this.#reports.set(peer, { receivedAt: Date.now(), report, incarnation: typeof incarnation === 'string' ? incarnation : undefined });
    };
    this.#timer = setInterval(() => transport.broadcastStatus({ ...report(), incarnation: this.incarnation }), REPORT_EVERY);
    this.#timer.unref();
  }

  /** The last report of each peer that sent one. */
  peerReports(): ReadonlyMap<string, PeerReport> {
    return this.#reports;
  }

  static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
    const founders = [...new Set([options.id, ...options.peers.map((p) => p.id)])].sort();
    const keyspace = await LevelKeyspace.open(join(options.dataDir, 'cluster'));
    let transport: ClusterTransport | undefined;
    try {
      const stored = await keyspace.get(PEERS_KEY);
      const changes: PeerChanges = stored === undefined ? { added: {}, removed: [] } : (JSON.parse(stored.toString('utf8')) as PeerChanges);
      const peers = [...options.peers.filter((p) => changes.added[p.id] === undefined), ...Object.entries(changes.added).map(([id, at]) => ({ id, ...at }))].filter(
        (p) => !changes.removed.includes(p.id),
      );
      transport = await ClusterTransport.listen({ id: options.id, secret: options.secret, host: options.host, port: options.port, peers, tls: options.tls, logger: options.logger, tickMs: options.tickMs, electionTick: options.electionTick });
      const holder: { node?: ClusterNode } = {};
      const broker = options.metadataSnapshot;
      const metadata = await MetadataGroup.start({
        id: options.id,
        // A joining node starts with no configuration and learns it from the leader's log.
        voters: options.join === true ? [] : founders,
        keyspace,
        transport,
        apply: options.applyMetadata,
        logger: options.logger,
        ...(broker === undefined
          ? {}
          : {
              snapshotter: {
                every: broker.every,
                take: () => ({ peers: structuredClone(changes), broker: broker.take() }),
                converge: async (snapshot) => {
                  holder.node?.convergePeers(snapshot.peers);
                  await broker.converge(snapshot.broker, snapshot.index);
                },
              },
            }),
        tickMs: options.tickMs,
        electionTick: options.electionTick,
      });
      options.logger.info({ node: options.id, peers: peers.map((p) => p.id), join: options.join === true, clusterPort: transport.port }, 'cluster node started');
      holder.node = new ClusterNode(options.id, changes, transport, metadata, keyspace, options.report ?? (() => ({})));
      return holder.node;
    } catch (error) {
      await transport?.close();
      await keyspace.close();
      throw error;
    }
  }

  /** Every member of the metadata group (voters and learners), this node included. */
  get members(): string[] {
    const { voters, learners } = this.metadata.members();
    return [...new Set([this.id, ...voters, ...learners])].sort();
  }

  /** Makes a member's address known (before it is added to the group), and keeps it. */
  addPeer(peer: PeerSpec): void {
    this.changes.added[peer.id] = { host: peer.host, port: peer.port };
    this.changes.removed = this.changes.removed.filter((id) => id !== peer.id);
    this.transport.addPeer(peer);
    this.#savePeers();
  }

  /** Makes the members' addresses those of a metadata snapshot (the log that recorded them was compacted). */
  convergePeers(peers: PeerChanges): void {
    for (const [id, at] of Object.entries(peers.added)) {
      const known = this.changes.added[id];
      if (id !== this.id && (known === undefined || known.host !== at.host || known.port !== at.port)) this.addPeer({ id, ...at });
    }
    for (const id of peers.removed) if (id !== this.id && !this.changes.removed.includes(id)) this.removePeer(id);
  }

  /** Forgets a member (once it is out of the group). */
  removePeer(id: string): void {
    delete this.changes.added[id];
    if (!this.changes.removed.includes(id)) this.changes.removed.push(id);
    this.transport.removePeer(id);
    this.#savePeers();
  }

  status(): ClusterStatus {
    const raft = this.metadata.node.raft;
    const { voters, learners } = this.metadata.members();
    return {
      node: this.id,
      members: this.members,
      voters,
      learners,
      connected: this.transport.connectedPeers(),
      metadata: { role: raft.role, leader: raft.lead, term: raft.term, commit_index: raft.log.committed, applied_index: this.metadata.applied },
    };
  }

  #savePeers(): void {
    this.keyspace.put(PEERS_KEY, Buffer.from(JSON.stringify(this.changes)), true);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.metadata.stop();
    await this.transport.close();
    await this.keyspace.close();
  }
}
