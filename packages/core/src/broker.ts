/**
 * The facade the server calls: it owns the vhosts, recovers the topology and the durable
 * queues from the store at boot, and exposes the store's write tickets so that replies and
 * confirms can wait for the disk. It knows nothing of WebSocket or HTTP.
 */
import { nanoid } from 'nanoid';
import { DEFAULT_BACKLOG_LIMITS, type BacklogLimits } from './queue/backlog.js';
import { silentLogger, type Logger, type Store } from './ports.js';
import { VHost } from './vhost.js';

export interface BrokerOptions {
  store: Store;
  logger?: Logger;
  limits?: Partial<BacklogLimits>;
  /** Id generator for queues, messages and consumer tags; nanoid by default. */
  newId?: () => string;
}

export const DEFAULT_VHOST = '/';

export class Broker {
  readonly vhosts = new Map<string, VHost>();
  readonly store: Store;
  readonly newId: () => string;
  private readonly logger: Logger;
  private readonly limits: BacklogLimits;

  constructor(options: BrokerOptions) {
    this.store = options.store;
    this.logger = options.logger ?? silentLogger;
    this.limits = { ...DEFAULT_BACKLOG_LIMITS, ...options.limits };
    this.newId = options.newId ?? (() => nanoid());
  }

  /** Opens the store and rebuilds every durable exchange, queue and binding with its messages. */
  async start(): Promise<void> {
    await this.store.open();
    this.ensureVHost(DEFAULT_VHOST);
    const topology = await this.store.loadTopology();
    for (const record of topology.exchanges) this.ensureVHost(record.vhost).restoreExchange(record);
    const kept = new Set<string>();
    let messages = 0;
    for (const record of topology.queues) {
      const queue = this.ensureVHost(record.vhost).restoreQueue(record);
      const { count, lastSeq } = await this.store.recoverQueue(record);
      queue.recover(count, lastSeq);
      kept.add(record.id);
      messages += count;
    }
    for (const record of topology.bindings) this.ensureVHost(record.vhost).restoreBinding(record);
    await this.store.dropQueuesExcept(kept);
    this.logger.info(
      { exchanges: topology.exchanges.length, queues: topology.queues.length, bindings: topology.bindings.length, messages },
      'recovered from the store',
    );
  }

  async stop(): Promise<void> {
    await this.store.close();
  }

  vhost(name: string): VHost | undefined {
    return this.vhosts.get(name);
  }

  /** Calls back once every write requested so far is applied (and synced where it asked to be). */
  afterWrites(done: (error?: Error) => void): void {
    this.store.whenWritten(this.store.ticket(), done);
  }

  whenWritten(ticket: number, done: (error?: Error) => void): void {
    this.store.whenWritten(ticket, done);
  }

  private ensureVHost(name: string): VHost {
    let vhost = this.vhosts.get(name);
    if (vhost === undefined) {
      vhost = new VHost(name, { store: this.store, logger: this.logger, limits: this.limits, newId: this.newId });
      this.vhosts.set(name, vhost);
    }
    return vhost;
  }
}
