/** The pure Raft: no timers, sockets or disks (see raft.ts). */
export { Raft, type RaftConfig } from './raft.js';
export { encodeConfChange, decodeConfChange } from './membership.js';
export * from './types.js';
