/**
 * @warren/cluster: Raft replication beside core and store. The pure algorithm (Raft), the port a
 * replicated machine implements, the shell that runs it (RaftNode) with its LevelDB storage and
 * TCP transport.
 */
export * from './raft/index.js';
export type { ApplyMeta, Applied, ReplicatedMachine } from './machine.js';
export { RaftNode, NotLeaderError, type RaftNodeOptions, type RaftStorage, type PeerLink } from './raft-node.js';
export { LevelRaftStorage } from './raft-storage.js';
export { PeerTransport, type PeerAddress } from './peer-transport.js';
export * from './node/index.js';
export { QueueGroup, type QueueDelivery, type QueueGroupOptions } from './queue/queue-group.js';
export { DEFAULT_SNAPSHOT_POLICY, type SnapshotPolicy } from './queue/snapshot-policy.js';
export { GroupProposer, type GroupProposerOptions, type LocalMember } from './queue/group-proposer.js';
export { replicatedQueueMachine, describeQueue, decodeForwarded, type ReplicatedQueueState } from './queue/replicated-queue.js';
export { encodeQueueCommand, decodeQueueCommand, type LoggedMessage, type QueueLogCommand, type QueueLogEffect, type SettleItem, type EnqueueItem } from './queue/queue-log.js';
