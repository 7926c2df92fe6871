/**
 * The composition root: the one place that wires the LevelDB store, the core broker, the
 * WebSocket listener and the HTTP API onto one port, and takes them down again in order.
 */
import { Broker, type FlowMarks } from '@warren/core';
import { LevelStore } from '@warren/store';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import { systemClock } from './clock.js';
import { createLogger, type ServerLogger } from './log.js';
import { registerRoutes } from './http/router.js';
import { importDefinitionsFile } from './definitions-file.js';
import { WebSocketListener } from './ws/listener.js';
import { resourceAlarmsFor } from './alarms/from-config.js';
import { BrokerMetrics, type MetricsContributor } from './metrics/broker-metrics.js';
import { metricsRoutes } from './metrics/routes.js';
import { healthRoutes } from './health/routes.js';
import { alarmsCheck, storeCheck, type ReadinessCheck } from './health/readiness.js';
import { requestIdHooks, requestIdOf } from './logging/request-id.js';
import { registerAdminUi } from './admin-ui/static-files.js';
import { LiveEndpoint } from './live/live-endpoint.js';
import { sendError } from './http/errors.js';
import { frameworkError, MAX_PARAM_LENGTH } from './http/limits.js';
import { accessRoutes, installAccessHooks, startAccessControl } from './auth/install.js';
import { httpsOptions, watchCertificates } from './auth/tls.js';
import type { Server as HttpsServer } from 'node:https';
import { MetadataReplication } from './cluster/metadata-replication.js';
import { gateMetadataFrames } from './cluster/ws-metadata-gate.js';
import { membershipRoutes } from './cluster/membership-routes.js';
import { ReplicaMover, replicaRoutes } from './cluster/replica-routes.js';
import { clusterMetrics } from './cluster/cluster-metrics.js';
import { clusterReadiness, guardIsolation, replicatedQueuesFor, startClusterNode } from './cluster/cluster-boot.js';
import { nodeView } from './http/routes/nodes.js';

export interface WarrenServer {
  readonly config: Config;
  readonly broker: Broker;
  readonly logger: ServerLogger;
  /** The bound port (the real one when the config asked for port 0). */
  readonly port: number;
  /** ws://host:port/ws (wss:// under TLS) */
  readonly url: string;
  /** http://host:port (https:// under TLS) */
  readonly httpUrl: string;
  /** Graceful stop: refuse new connections, close the open ones, finish writes, close the store. */
  close(): Promise<void>;
}

/** What a package beside the core adds to a node's operations surface (the cluster: joined, leaders known; Raft terms, commit lag). */
export interface ServerExtensions {
  /** More /readyz checks. */
  readiness?: readonly ReadinessCheck[];
  /** More /metrics families. */
  metrics?: readonly MetricsContributor[];
}

export async function startServer(config: Config, logger: ServerLogger = createLogger(config), extensions: ServerExtensions = {}): Promise<WarrenServer> {
  const store = new LevelStore(config.dataDir);
  // Cluster mode: queues declared replicated are built by the node's hub of replicated queues (cluster/replicated-queues.ts).
  const replicas = config.peers.length > 0 ? replicatedQueuesFor(config, logger, () => broker.newId()) : undefined;
  const broker: Broker = new Broker({
    store,
    clock: systemClock,
    logger,
    limits: { maxRamMessages: config.queueRamMessages, maxRamBytes: config.queueRamBytes },
    flowMarks: flowMarksOf(config),
    maxQueues: config.maxQueues,
    maxQueuesPerVhost: config.maxQueuesPerVhost,
    auditRetention: config.auditRetention,
    createQueue: replicas?.createQueue,
  });
  await broker.start();
  const access = await startAccessControl(broker, config, logger);
  if (config.definitions !== undefined) await importDefinitionsFile(broker, config.definitions, logger, access.registry);
  const https = httpsOptions(config);
  // Fastify logs through the broker's pino with a request id on every line; its own line per
  // request is off (it would drown the broker's), request-id.ts logs one at debug level instead.
  const app = Fastify({
    forceCloseConnections: true,
    bodyLimit: config.httpBodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors fastify answers before any route (a bad URL, a path parameter too long) in Warren's shape too.
    frameworkErrors: (error, _request, reply) => sendError(reply, frameworkError(error), logger),
    // Typed as fastify's base logger, so the instance keeps the type every route file is written for.
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: requestIdOf,
    ...(https === undefined ? {} : { https }),
  });
  const alarms = resourceAlarmsFor(config, logger);
  await alarms.start();
  const listener = new WebSocketListener(app.server, broker, config, logger, alarms, access);
  let closing: Promise<void> | undefined;
  const readiness: ReadinessCheck[] = [
    storeCheck(store),
    alarmsCheck(alarms),
    { name: 'shutdown', problem: () => (closing === undefined ? undefined : 'the node is shutting down') },
    ...(extensions.readiness ?? []),
  ];
  requestIdHooks(app);
  healthRoutes(app, readiness);
  // Cluster mode: metadata changes go through the metadata group's log (cluster/metadata-replication.ts).
  const replication = config.peers.length > 0 ? new MetadataReplication() : undefined;
  replication?.installReplayGate(app);
  if (replication !== undefined) gateMetadataFrames(broker, replication);
  let cluster: Awaited<ReturnType<typeof startClusterNode>> | undefined;
  let isolation: ReturnType<typeof guardIsolation> | undefined;
  const contributors = [...(extensions.metrics ?? []), ...(config.peers.length > 0 ? [clusterMetrics(() => cluster, () => isolation?.isolated === true)] : [])];
  const metrics = new BrokerMetrics({ broker, sessions: listener.sessions, alarms, nodeId: config.nodeId, clusterName: config.clusterName, prefix: config.metricsPrefix, contributors });
  metricsRoutes(app, metrics);
  const httpSessions = installAccessHooks(app, access);
  replication?.installForwarding(app);
  registerRoutes(app, broker, listener, config.nodeId, logger, () => cluster);
  const mover = replication === undefined ? undefined : new ReplicaMover(broker, replication, replicas!);
  membershipRoutes(app, replication, () => cluster, mover);
  replicaRoutes(app, mover, () => cluster);
  accessRoutes(app, access, httpSessions, listener, https !== undefined);
  await registerAdminUi(app);
  const live = new LiveEndpoint(app, logger);
  try {
    if (replication !== undefined) {
      const report = () => ({ ...nodeView({ listener, nodeId: config.nodeId, cluster: () => cluster, broker, report: true }), replicas_leaving: mover!.leaving(config.nodeId), replicas_held: mover!.held() });
      cluster = await startClusterNode(config, logger, app, replication, replicas!, report, broker);
      readiness.push(clusterReadiness(cluster));
      isolation = guardIsolation(config, logger, cluster, listener);
      readiness.push(isolation.readiness());
    }
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    // The store is open and holds its lock: close it, so the caller can report and exit cleanly.
    await replicas?.stop();
    await cluster?.stop();
    alarms.stop();
    live.close();
    listener.close();
    await app.close();
    await broker.stop();
    throw error;
  }
  const stopWatching = https === undefined ? () => {} : watchCertificates(app.server as unknown as HttpsServer, config, logger);
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const secure = https === undefined ? '' : 's';
  logger.info({ url: `ws${secure}://${host}:${port}/ws`, dataDir: config.dataDir }, 'warren is ready');

  return {
    config,
    broker,
    logger,
    port,
    url: `ws${secure}://${host}:${port}/ws`,
    httpUrl: `http${secure}://${host}:${port}`,
    close: () =>
      (closing ??= (async () => {
        alarms.stop();
        isolation?.stop();
        stopWatching();
        live.close();
        listener.close();
        await replicas?.stop();
        await cluster?.stop();
        await app.close();
        await broker.stop();
        logger.info('warren stopped');
      })()),
  };
}

/** Credit flow's marks: a queue lets its publishers go at half the backlog that made it hold them. */
function flowMarksOf(config: Config): FlowMarks {
  const { queueFlowMessages, queueFlowBytes, queueFlowHoldMs } = config;
  return { highMessages: queueFlowMessages, lowMessages: Math.floor(queueFlowMessages / 2), highBytes: queueFlowBytes, lowBytes: Math.floor(queueFlowBytes / 2), maxHoldMs: queueFlowHoldMs };
}
