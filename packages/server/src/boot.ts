/**
 * The composition root: the one place that wires the LevelDB store, the core broker, the
 * WebSocket listener and the HTTP API onto one port, and takes them down again in order.
 */
import { Broker } from '@warren/core';
import { LevelStore } from '@warren/store';
import Fastify from 'fastify';
import type { Config } from './config.js';
import { systemClock } from './clock.js';
import { createLogger, type ServerLogger } from './log.js';
import { registerRoutes } from './http/router.js';
import { importDefinitionsFile } from './definitions-file.js';
import { WebSocketListener } from './ws/listener.js';
import { resourceAlarmsFor } from './alarms/from-config.js';
import { registerAdminUi } from './admin-ui/static-files.js';
import { LiveEndpoint } from './live/live-endpoint.js';
import { sendError } from './http/errors.js';
import { frameworkError, MAX_PARAM_LENGTH } from './http/limits.js';
import { accessRoutes, installAccessHooks, startAccessControl } from './auth/install.js';
import { httpsOptions, watchCertificates } from './auth/tls.js';
import type { Server as HttpsServer } from 'node:https';

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

export async function startServer(config: Config, logger: ServerLogger = createLogger(config)): Promise<WarrenServer> {
  const broker = new Broker({
    store: new LevelStore(config.dataDir),
    clock: systemClock,
    logger,
    limits: { maxRamMessages: config.queueRamMessages, maxRamBytes: config.queueRamBytes },
    maxQueues: config.maxQueues,
    maxQueuesPerVhost: config.maxQueuesPerVhost,
    auditRetention: config.auditRetention,
  });
  await broker.start();
  const access = await startAccessControl(broker, config, logger);
  if (config.definitions !== undefined) await importDefinitionsFile(broker, config.definitions, logger, access.registry);
  const https = httpsOptions(config);
  // No fastify logger: the API logs its own events, and request lines would drown the broker's.
  const app = Fastify({
    forceCloseConnections: true,
    bodyLimit: config.httpBodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors fastify answers before any route (a bad URL, a path parameter too long) in Warren's shape too.
    frameworkErrors: (error, _request, reply) => sendError(reply, frameworkError(error), logger),
    ...(https === undefined ? {} : { https }),
  });
  const alarms = resourceAlarmsFor(config, logger);
  await alarms.start();
  const listener = new WebSocketListener(app.server, broker, config, logger, alarms, access);
  const httpSessions = installAccessHooks(app, access);
  registerRoutes(app, broker, listener, config.nodeId, logger);
  accessRoutes(app, access, httpSessions, listener, https !== undefined);
  await registerAdminUi(app);
  const live = new LiveEndpoint(app, logger);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    // The store is open and holds its lock: close it, so the caller can report and exit cleanly.
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

  let closing: Promise<void> | undefined;
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
        stopWatching();
        live.close();
        listener.close();
        await app.close();
        await broker.stop();
        logger.info('warren stopped');
      })()),
  };
}
