/**
 * Configuration: defaults, then a JSON file, then WARREN_* environment variables, then command
 * line flags, each overriding the one before. The result is validated once with ajv; a bad
 * value stops the boot with a message naming the key (docs/operations.md, "Configuration").
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_PORT } from '@warren/protocol';
import { securityEnv, securityProperties, type SecurityConfig } from './auth/security-config.js';
import { normalizeOrigin } from './ws/origin-check.js';
import { DEFAULT_SNAPSHOT_POLICY, parsePeers } from '@warren/cluster';

export interface Config extends SecurityConfig {
  host: string;
  port: number;
  dataDir: string;
  nodeId: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Heartbeat interval the server proposes, ms; 0 turns heartbeats off. */
  heartbeat: number;
  /** Largest message body accepted, bytes. */
  maxMessageSize: number;
  /** Unconfirmed publishes per connection before the server stops reading it. */
  publishWindow: number;
  /** Time a new connection has to send hello, ms. */
  handshakeTimeout: number;
  /** Unsent bytes per connection above which deliveries to it pause. */
  deliveryBufferBytes: number;
  /** Credit flow (core's queue/queue-flow.ts): ready messages above which a queue with consumers holds its publishers; it lets them go at half. */
  queueFlowMessages: number;
  /** The same in ready body bytes. */
  queueFlowBytes: number;
  /** Longest a queue holds its publishers before it takes its consumers for slow ones and holds nobody. */
  queueFlowHoldMs: number;
  /**
   * Unsent bytes per connection (replies, errors, confirms, returns, deliveries) above which its
   * frames are no longer read until it drains; twice that closes it (ws/send-buffer.ts).
   */
  sendBufferBytes: number;
  /** Ready messages one queue keeps in RAM before paging new ones out to the store. */
  queueRamMessages: number;
  /** Body bytes one queue keeps in RAM before paging new ones out to the store. */
  queueRamBytes: number;
  /** A definitions file (RabbitMQ's JSON format) imported at boot. */
  definitions?: string;
  /** Open connections at most; 0 means no limit (RabbitMQ's connection_max). */
  maxConnections: number;
  /** Consumers one connection may hold (RabbitMQ's channel_max, 2047, where a channel holds a consumer). */
  maxConsumersPerConnection: number;
  /** Queues in all vhosts at most; 0 means no limit. */
  maxQueues: number;
  /** Largest management API request body, bytes (RabbitMQ's http_max_body_size). */
  httpBodyLimit: number;
  /** How much of the audit log to keep: the newest `count` entries and/or those younger than `days`. */
  auditRetention: { count?: number; days?: number };
  /** Memory use above which publishing connections are blocked: a fraction of RAM, or `{ bytes }` (alarms/). */
  memoryHighWatermark: MemoryHighWatermark;
  /** Free bytes on the data directory's filesystem below which publishing connections are blocked; 0 turns the check off. */
  diskFreeLimit: number;
  /** How often memory is measured, ms; it is also measured after every few MB read from publishers. */
  memoryCheckInterval: number;
  /** How often free disk is measured, ms; four times as often while the disk alarm is up. */
  diskCheckInterval: number;
  /** Prefix of the /metrics series: `warren`, or `rabbitmq` so dashboards made for rabbitmq_prometheus work (docs/operations.md). */
  metricsPrefix: 'warren' | 'rabbitmq';
  /** The cluster's name in metrics (rabbitmq_identity_info's rabbitmq_cluster). */
  clusterName: string;
  /**
   * Browser origins (scheme://host[:port]) allowed to open the WebSocket, besides the broker's
   * own; `*` allows every origin. Clients that are not browsers send no Origin and are not concerned.
   */
  allowedOrigins: string[];
  /** Node-to-node port (docs/cluster.md); used only when peers are given. */
  clusterPort: number;
  /** The cluster's members as `id@host:port`; empty: a single node, no cluster port. */
  peers: string[];
  /** What nodes prove to each other (as Erlang's cookie); required with peers. */
  clusterSecret?: string;
  /** This node joins a running cluster (PUT /api/nodes/{name} adds it) instead of founding one with its peers. */
  clusterJoin: boolean;
  /** Ms a node may be cut off from the cluster majority before it closes and refuses client connections; 0: never (docs/cluster.md). */
  clusterIsolationGraceMs: number;
  /** Metadata log entries applied between two snapshots of the metadata (its log is compacted at each). */
  metadataSnapshotEvery: number;
  /** A replicated queue's member snapshots its contents after at least this many entries applied since its last snapshot... */
  queueSnapshotEntries: number;
  /** ...and once the log bytes since then reach this many times that snapshot's size (0: entries only; docs/replication.md). */
  queueSnapshotFactor: number;
}

/** RabbitMQ's vm_memory_high_watermark.relative (a fraction of RAM) or .absolute (`{ bytes }`). */
export type MemoryHighWatermark = number | { bytes: number };

export const DEFAULT_CONFIG: Config = {
  host: '127.0.0.1',
  port: DEFAULT_PORT,
  dataDir: './data',
  nodeId: 'warren@localhost',
  logLevel: 'info',
  heartbeat: 30_000,
  maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
  publishWindow: 4096,
  handshakeTimeout: 10_000,
  deliveryBufferBytes: 4 * 1024 * 1024,
  queueFlowMessages: 500,
  queueFlowBytes: 16 * 1024 * 1024,
  queueFlowHoldMs: 200,
  sendBufferBytes: 16 * 1024 * 1024,
  queueRamMessages: 100_000,
  queueRamBytes: 32 * 1024 * 1024,
  maxConnections: 0,
  maxConsumersPerConnection: 2047,
  maxQueues: 0,
  httpBodyLimit: 20 * 1024 * 1024,
  auditRetention: { count: 10_000 },
  memoryHighWatermark: 0.4,
  diskFreeLimit: 50_000_000,
  memoryCheckInterval: 250,
  diskCheckInterval: 1000,
  metricsPrefix: 'warren',
  clusterName: 'warren',
  loopbackUsers: ['guest'],
  tlsClientCertificates: 'none',
  maxConnectionsPerUser: 0,
  maxConnectionsPerVhost: 0,
  maxQueuesPerVhost: 0,
  allowedOrigins: [],
  clusterPort: 5681,
  peers: [],
  clusterJoin: false,
  clusterIsolationGraceMs: 3_000,
  metadataSnapshotEvery: 10_000,
  queueSnapshotEntries: DEFAULT_SNAPSHOT_POLICY.minEntries,
  queueSnapshotFactor: DEFAULT_SNAPSHOT_POLICY.factor,
};

const positive = { type: 'integer', minimum: 1 };

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    dataDir: { type: 'string', minLength: 1 },
    nodeId: { type: 'string', minLength: 1 },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    heartbeat: { type: 'integer', minimum: 0 },
    maxMessageSize: { type: 'integer', minimum: 1, maximum: 512 * 1024 * 1024 },
    publishWindow: positive,
    handshakeTimeout: positive,
    deliveryBufferBytes: positive,
    queueFlowMessages: positive,
    queueFlowBytes: positive,
    queueFlowHoldMs: positive,
    sendBufferBytes: positive,
    queueRamMessages: positive,
    queueRamBytes: positive,
    definitions: { type: 'string', minLength: 1 },
    maxConnections: { type: 'integer', minimum: 0 },
    maxConsumersPerConnection: positive,
    maxQueues: { type: 'integer', minimum: 0 },
    httpBodyLimit: positive,
    auditRetention: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { count: { type: 'integer', minimum: 1, maximum: 10_000_000 }, days: { type: 'number', exclusiveMinimum: 0, maximum: 36_500 } },
    },
    memoryHighWatermark: {
      anyOf: [
        { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        { type: 'object', additionalProperties: false, required: ['bytes'], properties: { bytes: positive } },
      ],
    },
    diskFreeLimit: { type: 'integer', minimum: 0 },
    memoryCheckInterval: positive,
    diskCheckInterval: positive,
    metricsPrefix: { enum: ['warren', 'rabbitmq'] },
    clusterName: { type: 'string', minLength: 1, maxLength: 255 },
    ...securityProperties,
    allowedOrigins: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 2048 } },
    clusterPort: { type: 'integer', minimum: 0, maximum: 65535 },
    peers: { type: 'array', maxItems: 99, items: { type: 'string', minLength: 3, maxLength: 1024 } },
    clusterSecret: { type: 'string', minLength: 16, maxLength: 1024 },
    clusterJoin: { type: 'boolean' },
    clusterIsolationGraceMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
    metadataSnapshotEvery: { type: 'integer', minimum: 10, maximum: 10_000_000 },
    queueSnapshotEntries: { type: 'integer', minimum: 1, maximum: 100_000_000 },
    queueSnapshotFactor: { type: 'number', minimum: 0, maximum: 1000 },
  },
};

const validate = new Ajv({ coerceTypes: true, allErrors: true, strict: true }).compile(schema);

/** Environment variables and the config keys they set (docs/operations.md). */
const ENV: Record<string, keyof Config> = {
  WARREN_HOST: 'host',
  WARREN_PORT: 'port',
  WARREN_DATA_DIR: 'dataDir',
  WARREN_NODE_ID: 'nodeId',
  WARREN_LOG_LEVEL: 'logLevel',
  WARREN_HEARTBEAT: 'heartbeat',
  WARREN_MAX_MESSAGE_SIZE: 'maxMessageSize',
  WARREN_PUBLISH_WINDOW: 'publishWindow',
  WARREN_DEFINITIONS: 'definitions',
  WARREN_MAX_CONNECTIONS: 'maxConnections',
  WARREN_MAX_QUEUES: 'maxQueues',
  WARREN_MEMORY_HIGH_WATERMARK: 'memoryHighWatermark',
  WARREN_DISK_FREE_LIMIT: 'diskFreeLimit',
  WARREN_METRICS_PREFIX: 'metricsPrefix',
  WARREN_CLUSTER_NAME: 'clusterName',
  WARREN_CLUSTER_PORT: 'clusterPort',
  WARREN_CLUSTER_SECRET: 'clusterSecret',
  WARREN_CLUSTER_JOIN: 'clusterJoin',
  WARREN_CLUSTER_ISOLATION_GRACE_MS: 'clusterIsolationGraceMs',
  WARREN_METADATA_SNAPSHOT_EVERY: 'metadataSnapshotEvery',
  WARREN_QUEUE_SNAPSHOT_ENTRIES: 'queueSnapshotEntries',
  WARREN_QUEUE_SNAPSHOT_FACTOR: 'queueSnapshotFactor',
};

/** The absolute form of the watermark has its own variable, so a value is never read as both a fraction and bytes. */
const MEMORY_HIGH_WATERMARK_BYTES = 'WARREN_MEMORY_HIGH_WATERMARK_BYTES';
/** A comma-separated list, so not a plain ENV entry. */
const ALLOWED_ORIGINS = 'WARREN_ALLOWED_ORIGINS';
/** `id@host:port,…` */
const PEERS = 'WARREN_PEERS';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Partial<Record<keyof Config, unknown>> } = {}): Config {
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG };
  if (options.file !== undefined) Object.assign(merged, readConfigFile(options.file));
  for (const [name, key] of Object.entries(ENV)) {
    const value = options.env?.[name];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const origins = options.env?.[ALLOWED_ORIGINS];
  if (origins !== undefined && origins !== '') merged.allowedOrigins = origins.split(',').map((o) => o.trim()).filter((o) => o !== '');
  const peers = options.env?.[PEERS];
  if (peers !== undefined && peers !== '') merged.peers = peers.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const watermarkBytes = options.env?.[MEMORY_HIGH_WATERMARK_BYTES];
  if (watermarkBytes !== undefined && watermarkBytes !== '') merged.memoryHighWatermark = { bytes: watermarkBytes };
  securityEnv(merged, options.env ?? {});
  for (const [key, value] of Object.entries(options.overrides ?? {})) if (value !== undefined) merged[key] = value;
  if (!validate(merged)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath.slice(1) || e.params.additionalProperty || 'config'} ${e.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const badOrigin = (merged.allowedOrigins as string[]).find((o) => o !== '*' && normalizeOrigin(o) === undefined);
  if (badOrigin !== undefined) throw new ConfigError(`invalid configuration: allowedOrigins '${badOrigin}' is not an origin (scheme://host[:port], http or https) or '*'`);
  checkCluster(merged as unknown as Config);
  return merged as unknown as Config;
}

/** Peers parse, name distinct nodes and come with a secret: a cluster without one would take any node. */
function checkCluster(config: Config): void {
  if (config.peers.length === 0) return;
  try {
    parsePeers(config.peers.join(','));
  } catch (error) {
    throw new ConfigError(`invalid configuration: peers: ${(error as Error).message}`);
  }
  if (config.clusterSecret === undefined) throw new ConfigError('invalid configuration: peers are given but no clusterSecret (WARREN_CLUSTER_SECRET, at least 16 characters) that nodes prove to each other');
}

function readConfigFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ConfigError(`cannot read config file ${file}: ${(cause as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`config file ${file} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}
