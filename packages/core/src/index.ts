/** @warren/core: the broker's meaning. Pure TypeScript: no sockets, no disk, no clock. */
export { Broker, DEFAULT_VHOST, type BrokerOptions } from './broker.js';
export { VHost, type ExchangeSpec, type QueueSpec } from './vhost.js';
export { UNROUTED, REJECTED } from './message-paths.js';
export { Policy, effectivePolicy, policyFromBody, type PolicyRecord, type ApplyTo } from './policy/policy.js';
export { queueSettings, retryDelay, DEFAULT_RETRY, type QueueSettings, type RetrySettings, type Overflow } from './queue/settings.js';
export { deadLettered, deathsOf, isCycle, type DeathEntry, type DeathReason } from './dead-letter.js';
export { Scheduler } from './scheduler.js';
export { Exchange, type Destination } from './exchange/exchange.js';
export { Queue, ATTEMPT_HEADER, attemptOf, type QueueStats, type Settlement } from './queue/queue.js';
export { Consumer, type ConsumerOptions, type DeliverySink } from './queue/consumer.js';
export { DEFAULT_BACKLOG_LIMITS, type BacklogLimits } from './queue/backlog.js';
export { Deque } from './queue/deque.js';
export type { Message, QueueEntry, Table } from './message.js';
export {
  silentLogger,
  type BindingRecord,
  type Clock,
  type ScheduledRecord,
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
export { exportDefinitions, importDefinitions, DEFINITIONS_FORMAT } from './definitions.js';
