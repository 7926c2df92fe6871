/**
 * The two scrape endpoints' registries: `/metrics` sums the queues into one series per figure
 * (cheap at any number of queues), `/metrics/per-object` gives one series per queue, as
 * rabbitmq_prometheus's endpoints of the same names. Both read one QueueSnapshot taken per
 * scrape. A MetricsContributor (the cluster's Raft figures, once it lands) adds its own families.
 */
import { Registry } from 'prom-client';
import { Families } from './families.js';
import { MessageSizeHistogram } from './message-size-histogram.js';
import { messageFamilies } from './message-families.js';
import { identityFamily, nodeFamilies, queueTotalFamilies, type NodeSources } from './node-families.js';
import { perQueueText } from './per-queue-text.js';
import { processRegistry } from './process-metrics.js';
import { QueueSnapshot } from './queue-snapshot.js';

/** Adds families to a registry: the hook for packages beside the core (Raft terms, commit lag). */
export interface MetricsContributor {
  register(families: Families, perObject: boolean): void;
}

export interface MetricsOptions extends NodeSources {
  prefix: 'warren' | 'rabbitmq';
  contributors?: readonly MetricsContributor[];
}

export class BrokerMetrics {
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;
  private readonly snapshot: QueueSnapshot;
  private readonly aggregated: Registry;
  private readonly perObject: Registry;

  constructor(private readonly options: MetricsOptions) {
    this.snapshot = new QueueSnapshot(options.broker);
    this.aggregated = this.registry(false);
    this.perObject = this.registry(true);
  }

  /** The Prometheus text of /metrics (`perObject` false) or /metrics/per-object. */
  async scrape(perObject: boolean): Promise<string> {
    this.snapshot.refresh(perObject);
    const own = await (perObject ? this.perObject : this.aggregated).metrics();
    const queues = perObject ? perQueueText(this.options.prefix, this.snapshot) : '';
    return own + '\n' + queues + (await processRegistry(this.options.prefix).metrics());
  }

  private registry(perObject: boolean): Registry {
    const registry = new Registry();
    const families = new Families(registry, this.options.prefix);
    if (!perObject) queueTotalFamilies(families, this.snapshot);
    else families.gauge('queues', 'Queues', () => this.snapshot.totals.queues);
    nodeFamilies(families, this.options);
    messageFamilies(families, this.options.broker.counters);
    new MessageSizeHistogram(this.options.prefix, registry, this.options.broker.counters);
    identityFamily(families, this.options, perObject ? 'per-object' : 'aggregated');
    for (const contributor of this.options.contributors ?? []) contributor.register(families, perObject);
    return registry;
  }
}
