/** A node in a cluster: the cluster port, peer authentication, the metadata group. */
export { ClusterNode, type ClusterNodeOptions, type ClusterStatus, type PeerReport } from './cluster-node.js';
export { ClusterTransport, ForwardError, type ClusterTls } from './cluster-transport.js';
export { ClusterUnavailableError, MetadataGroup, METADATA_GROUP, type MetadataCommand, type MetadataOutcome, type MetadataSnapshotter } from './metadata-group.js';
export { decodeMetadataSnapshot, encodeMetadataSnapshot, MetadataSnapshotError, type MetadataSnapshot, type PeerChanges } from './metadata-snapshot.js';
export { parsePeer, parsePeers, type ClusterLogger, type PeerSpec } from './peers.js';
