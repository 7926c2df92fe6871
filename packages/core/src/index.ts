/** @warren/core: the broker's meaning. Pure TypeScript: no sockets, no disk, no clock. */
export { Broker, DEFAULT_VHOST, type BrokerOptions } from './broker.js';
export { BrokerCounters, MESSAGE_SIZE_BUCKETS, type DeadLetterStrategy } from './broker-counters.js';
export { VHost, type ExchangeSpec, type QueueFactory, type QueueSpec } from './vhost.js';
export { UNROUTED, REJECTED, ROUTED, type PublishOutcome } from './message-paths.js';
export { bothCommitted, COMMITTED, PendingCommit, type Commit } from './commit.js';
export { Policy, policyFromBody, type PolicyRecord, type ApplyTo } from './policy/policy.js';
export { effectivePolicy, mergePolicies } from './policy/merge.js';
export { explainQueueSettings } from './policy/explain.js';
export { previewPolicy } from './policy/dry-run.js';
export { traceRoute } from './route-trace.js';
export { queueSettings, retryDelay, DEFAULT_RETRY, type QueueSettings, type RetrySettings, type Overflow } from './queue/settings.js';
export { deadLettered, deathsOf, isCycle, type DeathEntry, type DeathReason } from './dead-letter.js';
export { Scheduler } from './scheduler.js';
export type { ScheduledPage } from './scheduled-view.js';
export { Exchange, type Destination } from './exchange/exchange.js';
export { Queue, type QueueHost, type QueueStats, type SettleOptions, type Settlement } from './queue/queue.js';
export { QueueMachine, Enqueued } from './queue/queue-machine.js';
export { queueImage, restoreQueueImage, type QueueImage } from './queue/queue-image.js';
export type { Lease } from './queue/ack-lease.js';
export type { QueueCommand, QueueCommandKind, QueueTimer } from './queue/queue-command.js';
export type { QueueEffects, QueueWrites } from './queue/queue-effects.js';
export { RecordedEffects, recordingQueueMachine, applyQueueCommand, type QueueEffect } from './queue/recorded-effects.js';
export { ATTEMPT_HEADER, attemptOf } from './queue/attempt-log.js';
export { ATTEMPTS_HEADER, attemptsOf, type AttemptEntry, type AttemptReason } from './queue/attempt-log.js';
export { Consumer, type ConsumerOptions, type DeliverySink } from './queue/consumer.js';
export { DEFAULT_BACKLOG_LIMITS, type BacklogLimits } from './queue/backlog.js';
export { Deque } from './queue/deque.js';
export { QueueFlow, DEFAULT_FLOW_MARKS, type FlowMarks } from './queue/queue-flow.js';
export type { Message, QueueEntry, Table } from './message.js';
export {
  silentLogger,
  type BindingRecord,
  type Clock,
  type DedupRecord,
  type ScheduledRecord,
  type ExchangeRecord,
  type Logger,
  type QueueRecord,
  type QueueReplicas,
  type QueueRecovery,
  type Store,
  type StoredMessage,
  type RecordSpace,
  type StoredRecord,
  type StoreStats,
  type Topology,
} from './ports.js';
export type { VHostMetadata } from './vhost-records.js';
export { MessageStats, MESSAGE_COUNTERS, type MessageCounter } from './message-stats.js';
export { canonicalJson } from './canonical.js';
export { compileNamePattern, type NamePattern } from './name-pattern.js';
export { browse, type BrowseOptions, type BrowsePage, type BrowsedEntry } from './browse.js';
export { planRedrive, type RedrivePlan, type RedriveTarget } from './redrive.js';
export { deadLetterQueues, FailureScans, groupFailures, type FailureGroup, type FailureSummary } from './failure-groups.js';
export { RedriveJob, type RedriveJobRecord, type RedriveState } from './redrive-job.js';
export { RedriveJobs, type RedriveSpec } from './redrive-jobs.js';
export { AuditLog, type AuditRecord, type AuditRetention, type AuditPage } from './audit.js';
export { listedBindings } from './listed-bindings.js';
export { exportDefinitions, importDefinitions, diffDefinitionsImport, DEFINITIONS_FORMAT, type ImportOptions } from './definitions.js';
/** The fast JSON text of a message's fields, for the store's message values (the store imports core, never protocol). */
export { flatObjectJson, jsonString } from '@warren/protocol';
