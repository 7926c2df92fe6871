/** @warren/core: the broker's meaning. Pure TypeScript: no sockets, no disk, no clock. */
export { Broker, DEFAULT_VHOST, type BrokerOptions } from './broker.js';
export { VHost, UNROUTED, type ExchangeSpec, type QueueSpec } from './vhost.js';
export { Exchange, type Destination } from './exchange/exchange.js';
export { Queue, type QueueStats, type Settlement } from './queue/queue.js';
export { Consumer, type ConsumerOptions, type DeliverySink } from './queue/consumer.js';
export { DEFAULT_BACKLOG_LIMITS, type BacklogLimits } from './queue/backlog.js';
export { Deque } from './queue/deque.js';
export type { Message, QueueEntry, Table } from './message.js';
export {
  silentLogger,
  type BindingRecord,
  type ExchangeRecord,
  type Logger,
  type QueueRecord,
  type QueueRecovery,
  type Store,
  type StoredMessage,
  type StoreStats,
  type Topology,
} from './ports.js';
export { canonicalJson } from './canonical.js';
