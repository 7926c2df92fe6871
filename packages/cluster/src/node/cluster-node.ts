/**
 * One node's membership in a cluster: its Raft state in LevelDB (a key space of its own under
 * the data directory, beside the broker's store), the cluster port, and the metadata group.
 * The server builds it when peers are configured and gives it the function that applies a
 * committed metadata change to the node's broker.
 */
import { join } from 'node:path';
import { LevelKeyspace } from '@warren/store';
import { ClusterTransport, type ClusterTls } from './cluster-transport.js';
import { MetadataGroup, type MetadataCommand, type MetadataOutcome } from './metadata-group.js';
import type { ClusterLogger, PeerSpec } from './peers.js';

export interface ClusterNodeOptions {
  readonly id: string;
  /** Every member, this node included (WARREN_PEERS, which may or may not list this node). */
  readonly peers: readonly PeerSpec[];
  readonly secret: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly tls?: ClusterTls;
  readonly logger: ClusterLogger;
  readonly applyMetadata: (command: MetadataCommand) => Promise<MetadataOutcome>;
  /** What this node reports of itself to the others, once a second (GET /api/nodes). */
  readonly report?: () => Record<string, unknown>;
  readonly tickMs?: number;
  readonly electionTick?: number;
}

/** A peer's last report of itself, and when it came. */
export interface PeerReport {
  readonly receivedAt: number;
  readonly report: Record<string, unknown>;
}

const REPORT_EVERY = 1_000;

export interface ClusterStatus {
  readonly node: string;
  readonly members: readonly string[];
  readonly connected: readonly string[];
  readonly metadata: { readonly role: string; readonly leader: string | null; readonly term: number; readonly commit_index: number; readonly applied_index: number };
}

export class ClusterNode {
  readonly #reports = new Map<string, PeerReport>();
  readonly #timer: NodeJS.Timeout;

  private constructor(
    readonly id: string,
    readonly members: readonly string[],
    readonly transport: ClusterTransport,
    readonly metadata: MetadataGroup,
    private readonly keyspace: LevelKeyspace,
    report: () => Record<string, unknown>,
  ) {
    transport.onStatus = (peer, status) => this.#reports.set(peer, { receivedAt: Date.now(), report: status });
    this.#timer = setInterval(() => transport.broadcastStatus(report()), REPORT_EVERY);
    this.#timer.unref();
  }

  /** The last report of each peer that sent one. */
  peerReports(): ReadonlyMap<string, PeerReport> {
    return this.#reports;
  }

  static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
    const members = [...new Set([options.id, ...options.peers.map((p) => p.id)])].sort();
    const keyspace = await LevelKeyspace.open(join(options.dataDir, 'cluster'));
    let transport: ClusterTransport | undefined;
    try {
      transport = await ClusterTransport.listen({ id: options.id, secret: options.secret, host: options.host, port: options.port, peers: options.peers, tls: options.tls, logger: options.logger });
      const metadata = await MetadataGroup.start({
        id: options.id,
        voters: members,
        keyspace,
        transport,
        apply: options.applyMetadata,
        logger: options.logger,
        tickMs: options.tickMs,
        electionTick: options.electionTick,
      });
      options.logger.info({ node: options.id, members, clusterPort: transport.port }, 'cluster node started');
      return new ClusterNode(options.id, members, transport, metadata, keyspace, options.report ?? (() => ({})));
    } catch (error) {
      await transport?.close();
      await keyspace.close();
      throw error;
    }
  }

  status(): ClusterStatus {
    const raft = this.metadata.node.raft;
    return {
      node: this.id,
      members: this.members,
      connected: this.transport.connectedPeers(),
      metadata: { role: raft.role, leader: raft.lead, term: raft.term, commit_index: raft.log.committed, applied_index: this.metadata.applied },
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.metadata.stop();
    await this.transport.close();
    await this.keyspace.close();
  }
}
