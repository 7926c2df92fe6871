/** @warren/cluster: Raft replication beside core and store. */
export * from './raft/index.js';
